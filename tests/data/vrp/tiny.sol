Route #1: 1 3
Route #2: 2 4
Cost 32
