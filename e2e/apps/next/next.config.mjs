// The Next.js app of the README's recipe: exported as static pages (the e2e server serves them under /apps/next/).
export default { output: 'export', basePath: '/apps/next', trailingSlash: true };
