import { startApp } from '../lib/app';
import App from './App.vue';
import WallScreen from './components/WallScreen.vue';

// One screen, no navigation: the router only carries the page (hash history, as every page).
startApp('wall', App, [{ path: '/:rest(.*)*', component: WallScreen }], 'PC');
