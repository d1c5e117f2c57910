// The shop's routes; each names its title (set by the router's afterEach in main.js).
import { h } from 'vue';
import { useRoute } from 'vue-router';

const page = (title) => ({ setup: () => () => h('h1', title) });
const Product = {
  setup() {
    const route = useRoute();
    return () => h('h1', `Product ${route.params.id}`);
  },
};

export const routes = [
  { path: '/', component: page('Home'), meta: { title: 'Home · Shop' } },
  { path: '/products', component: page('Products'), meta: { title: 'Products · Shop' } },
  { path: '/products/:id', component: Product, meta: { title: 'Product · Shop' } },
  { path: '/about', component: page('About'), meta: { title: 'About · Shop' } },
  { path: '/contact', component: () => import('./Contact.js'), meta: { title: 'Contact · Shop' } },
];
