/**
 * Engine-level tests outside the conformance suite: the autograd walk ({@code AutogradTest}) and
 * the errors users get for bad inputs ({@code BadInputTest}).
 */
package dev.jgrad.tests;
