"""Activity indicators: their definitions (`indicators`), the hourly rollups kept from the telephony's facts
(`rollup`, `tables`), and the routes and commands that read them (`api`, `cli`)."""
