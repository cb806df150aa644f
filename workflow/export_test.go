package workflow

// EventKey is the key ReceiveZoomEvent deduplicates on, for tests.
var EventKey = eventKey
