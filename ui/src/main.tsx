import { render } from 'preact';
import { App } from './components/App';
import { startModel } from './model';
import './styles.css';

startModel();
const root = document.getElementById('app');
if (root) render(<App />, root);
