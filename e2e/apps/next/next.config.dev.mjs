// next.config.mjs: under `npm run dev` (next dev), Next's server passes /collect on to `npx stint-collector`
export default {
  async rewrites() {
    return [{ source: '/collect', destination: 'http://127.0.0.1:8788/collect' }];
  },
};
