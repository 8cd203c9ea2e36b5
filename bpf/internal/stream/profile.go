package stream

// The `profile` event's parts (kernel-bridge/src/protocol/profile.ts): a
// profile is a table of distinct frames and samples whose stacks index into
// it, leaf first, with bounded sizes.

// Bounds of a profile event, as profile.ts has them.
const (
	ProfileFramesMax  = 20000
	ProfileSamplesMax = 50000
	ProfileStackMax   = 256
	ProfileNameMax    = 1024
)

// ProfileFrame is one function at one source line.
type ProfileFrame struct {
	Fn   string `json:"fn"`
	File string `json:"file"`
	Line int64  `json:"line"`
}

// ProfileSample is one stack (indices into the frames, leaf first) and its value.
type ProfileSample struct {
	Stack []int   `json:"stack"`
	Value float64 `json:"value"`
}
