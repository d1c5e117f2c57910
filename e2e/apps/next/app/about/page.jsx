import { Nav } from '../nav';

export const metadata = { title: 'About · Shop' };

export default function Page() {
  return (
    <>
      <Nav />
      <h1>About</h1>
    </>
  );
}
