import { Nav } from './nav';

export const metadata = { title: 'Home · Shop' };

export default function Page() {
  return (
    <>
      <Nav />
      <h1>Home</h1>
    </>
  );
}
