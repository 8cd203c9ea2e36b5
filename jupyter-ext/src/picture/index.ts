/**
 * The G/M/P picture: layout (sceneOf), the live Cytoscape view (PictureView),
 * the standalone SVG (svgOf), goroutine colours and the legend.
 */
export * from './colors';
export * from './scene';
export * from './svg';
export * from './view';
export * from './legend';
export { LIGHT, DARK, currentPalette, type Palette, type Paint } from './palette';
