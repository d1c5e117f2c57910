// src/routes.jsx: the shop's routes, under the app's base path (Vite's `base`: '/' unless set)
import { useEffect } from 'react';
import { Link, Outlet, useParams, useSearchParams } from 'react-router';

const BASE = import.meta.env.BASE_URL;

/** A page sets its title in an effect, as apps commonly do. */
function Page({ title }) {
  useEffect(() => {
    document.title = `${title} · Shop`;
  }, [title]);
  return <h1>{title}</h1>;
}

function Layout() {
  return (
    <>
      <nav>
        <Link to="products">Products</Link> <Link to="products/42">Product 42</Link> <Link to="products/42?tab=reviews">Reviews</Link>{' '}
        <Link to="about">About</Link>
      </nav>
      <Outlet />
    </>
  );
}

function Product() {
  const { id } = useParams();
  const [query] = useSearchParams();
  return <Page title={`Product ${id}${query.get('tab') ? ' ' + query.get('tab') : ''}`} />;
}

export const routes = [
  {
    path: BASE,
    element: <Layout />,
    children: [
      { index: true, element: <Page title="Home" /> },
      { path: 'products', element: <Page title="Products" /> },
      { path: 'products/:id', element: <Product /> },
      { path: 'about', element: <Page title="About" /> },
    ],
  },
];
