/**
 * Tests of checkpoint and dataset files against a hostile author: headers built to hang or
 * exhaust the parser, error messages that must stay short, temporary files left by crashed
 * saves, and a fuzz test of mutated checkpoints and IDX files.
 */
package dev.jgrad.tests.io;
