import { Nav } from '../../nav';

export const metadata = { title: 'Product 42 · Shop' };

export default function Page() {
  return (
    <>
      <Nav />
      <h1>Product 42</h1>
    </>
  );
}
