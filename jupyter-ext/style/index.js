import './index.css';
import './predict.css';
