// Entry of the timeline webview bundle.
import './timeline.css';
import './elements';
import { Timeline } from './timeline';

new Timeline(document.getElementById('app')!).start();
