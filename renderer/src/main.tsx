// Entry point: pick the transport (the desktop app's preload bridge when present, else HTTP) and start the app.
import { render } from 'preact';
import { App } from './app.js';
import { HttpTransport } from './transport/http.js';
import { IpcTransport, bridge } from './transport/ipc.js';
import './styles.css';

const parley = bridge();
const transport = parley ? new IpcTransport(parley) : new HttpTransport();
const root = document.getElementById('app');
if (root) render(<App transport={transport} />, root);
