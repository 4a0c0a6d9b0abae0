/**
 * The command line's charts, drawn with XChart and written as PNG through a temporary file renamed
 * into place ({@link dev.jgrad.cli.charts.Png}): training curves ({@link dev.jgrad.cli.charts.TrainingChart}),
 * optimizer paths over a toy surface's contour lines ({@link dev.jgrad.cli.charts.ContourPlot}, with
 * the lines traced by {@link dev.jgrad.cli.charts.Contours}), and the shared look that jgrad-bench's
 * report charts use too ({@link dev.jgrad.cli.charts.ChartStyle}).
 */
package dev.jgrad.cli.charts;
