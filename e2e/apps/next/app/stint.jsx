// app/stint.jsx: a client component for the root layout
'use client';
import { useEffect } from 'react';
import { createTracker } from 'stint';

// Server-side, createTracker returns a tracker that does nothing: the module can create it at the top.
const stint = createTracker({ collector: '/collect', appId: 'shop-web', autoPageViews: 'history' });
let landed = false;

export function Stint() {
  useEffect(() => {
    // The landing page, once (React runs effects twice in Strict Mode, in development); the routes after it are Stint's.
    if (!landed) stint.page();
    landed = true;
  }, []);
  return null;
}
