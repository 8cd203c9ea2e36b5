package target

import (
	"encoding/binary"
	"fmt"
)

// Strings reads a [N]string array variable of the runtime, such as
// runtime.waitReasonStrings, from the binary's data: the numbering of wait
// reasons changes between Go versions, so the binary's own table decodes them.
func (b *Binary) Strings(symbol string) ([]string, error) {
	s, ok := b.objects[symbol]
	if !ok {
		return nil, fmt.Errorf("%s: no variable %s", b.Path, symbol)
	}
	raw, err := b.readAt(s.Value, s.Size)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(raw)/16)
	for i := 0; i+16 <= len(raw); i += 16 {
		ptr := binary.LittleEndian.Uint64(raw[i:])
		n := binary.LittleEndian.Uint64(raw[i+8:])
		if n == 0 {
			out = append(out, "")
			continue
		}
		text, err := b.readAt(ptr, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %s[%d]: %w", b.Path, symbol, i/16, err)
		}
		out = append(out, string(text))
	}
	return out, nil
}
