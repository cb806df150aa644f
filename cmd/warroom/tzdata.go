package main

// The static binary runs on images without a time zone database (the
// distroless base has none); follow-ups are placed in people's local
// working hours, so the database is embedded.
import _ "time/tzdata"
