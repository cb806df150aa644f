package workflow

// EventKey is the key ReceiveZoomEvent deduplicates on, for tests.
var EventKey = eventKey

// PollDelay is the recording poll's backoff, for tests.
var PollDelay = pollDelay
