/** The example consumer: a user's module that needs jgrad's nn library (and, through it, the engine). */
module dev.jgrad.example {
    requires dev.jgrad.nn;
}
