// src/main.js: the module that starts the app
import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { createTracker } from 'stint';
import App from './App.vue';
import { routes } from './routes';

const stint = createTracker({ collector: '/collect', appId: 'shop-web', autoPageViews: 'history' });
const router = createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes });
router.afterEach((to) => {
  document.title = to.meta.title ?? 'Shop'; // read by Stint after the next frame
});
createApp(App).use(router).mount('#app');
// The landing page once the router has resolved it and set its title; the routes after it are Stint's.
router.isReady().then(() => stint.page());
