/**
 * Tests of the charts (dev.jgrad.cli.charts): the marching-squares contours against analytic
 * surfaces, and the helper that checks a written PNG is a real picture.
 */
package dev.jgrad.tests.charts;
