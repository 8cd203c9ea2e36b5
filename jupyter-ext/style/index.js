import './index.css';
import './predict.css';
import './class.css';
