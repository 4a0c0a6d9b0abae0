/** jgrad's neural-network library: modules, losses, optimizers, data, training and the Hessian tools. */
module dev.jgrad.nn {
    requires transitive dev.jgrad.engine;
    requires de.siegmar.fastcsv;

    exports dev.jgrad.nn;
    exports dev.jgrad.nn.analysis;
    exports dev.jgrad.nn.data;
    exports dev.jgrad.nn.io;
    exports dev.jgrad.nn.layers;
    exports dev.jgrad.nn.loss;
    exports dev.jgrad.nn.models;
    exports dev.jgrad.nn.optim;
    exports dev.jgrad.nn.train;
}
