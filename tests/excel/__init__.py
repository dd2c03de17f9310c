"""What Excel reaches: the worksheet functions through xlwings' code paths, a formula engine and Pyodide."""
