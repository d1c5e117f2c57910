// The shop's links (next/link: client-side navigation).
import Link from 'next/link';

export function Nav() {
  return (
    <nav>
      <Link href="/products">Products</Link> <Link href="/products/42">Product 42</Link> <Link href="/about">About</Link>
    </nav>
  );
}
