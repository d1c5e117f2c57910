import { Nav } from '../nav';

export const metadata = { title: 'Products · Shop' };

export default function Page() {
  return (
    <>
      <Nav />
      <h1>Products</h1>
    </>
  );
}
