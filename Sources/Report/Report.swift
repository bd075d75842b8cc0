// Report module: placeholder until its issue lands.
enum _ReportPlaceholder {}
