// tfjs-core's Node entry registers no gradient functions (its register_all_gradients module is ESM
// inside a CommonJS package, so Node cannot load it). tfjs-layers' Node bundle registers the full
// set in tfjs's global gradient registry when loaded, which is all this import is for.
import '@tensorflow/tfjs-layers';
