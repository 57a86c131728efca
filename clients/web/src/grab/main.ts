import { startApp } from '../lib/app';
import App from './App.vue';
import { routes } from './routes';

startApp('grab', App, routes, 'APP');
