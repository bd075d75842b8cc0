// Plotting module: placeholder until its issue lands.
enum _PlottingPlaceholder {}
