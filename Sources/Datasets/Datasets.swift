// Datasets module: placeholder until its issue lands.
enum _DatasetsPlaceholder {}
