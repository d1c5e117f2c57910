// A route whose component is loaded when it is first visited (a lazy route: Vite splits it off).
import { h } from 'vue';

export default { setup: () => () => h('h1', 'Contact') };
