/** Display and export: gs.show, gs.toSVG, gs.toPNG, gs.save, gs.progress; the notebook display hook of gradscope's values. */
import './hook';
export { show, toText, type ShowOptions } from './show';
export { toSVG, toPNG, save } from './export';
export type { PngOptions } from './png';
export { progress, type Progress, type ProgressOptions } from './progress';
