// src/main.jsx: the module that starts the app
import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { createTracker } from 'stint';
import { routes } from './routes';

const stint = createTracker({ collector: '/collect', appId: 'shop-web', autoPageViews: 'history' });
const router = createBrowserRouter(routes);
const root = createRoot(document.getElementById('root'));
// The landing page once it is rendered, with its title (flushSync: now); the routes after it are Stint's.
flushSync(() =>
  root.render(
    <StrictMode>
      <RouterProvider router={router} />
    </StrictMode>,
  ),
);
stint.page();
