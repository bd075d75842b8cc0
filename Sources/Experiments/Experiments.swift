// Experiments module: placeholder until its issue lands.
enum _ExperimentsPlaceholder {}
