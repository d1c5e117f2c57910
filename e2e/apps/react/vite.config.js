// vite.config.js: under `npm run dev`, Vite's server passes /collect on to `npx stint-collector`
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/collect': 'http://127.0.0.1:8788' } },
});
