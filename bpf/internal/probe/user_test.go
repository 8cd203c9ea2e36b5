package probe

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"go-slowmo.dev/bpf/internal/ebpftest"
	"go-slowmo.dev/bpf/internal/stream"
)

// readC reads one of the probes' C files.
func readC(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile("c/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// The annotation probes' records must be read as the C writes them: their
// kinds (user.bpf.c's enum user_kind is not generated into Go, being a
// second file's), their header (slowmo.bpf.c's, copied there) and the
// strings' limits (the protocol's).
func TestUserRecordLayoutMatchesTheC(t *testing.T) {
	user, sched := readC(t, "user.bpf.c"), readC(t, "slowmo.bpf.c")
	kinds := map[string]int{"K_USER_TASK": kUserTask, "K_USER_TASK_END": kUserTaskEnd, "K_USER_REGION": kUserRegion,
		"K_USER_REGION_END": kUserRegionEnd, "K_USER_LOG": kUserLog}
	enum := regexp.MustCompile(`(?s)enum user_kind \{(.*?)\};`).FindStringSubmatch(user)
	if enum == nil {
		t.Fatal("user.bpf.c has no enum user_kind")
	}
	number := regexp.MustCompile(`(K_\w+)\s*=\s*(\d+)`)
	found := number.FindAllStringSubmatch(enum[1], -1)
	taken := map[string]bool{}
	for _, k := range number.FindAllStringSubmatch(regexp.MustCompile(`(?s)enum kind \{.*?\};`).FindString(sched), -1) {
		taken[k[2]] = true
	}
	if len(found) != len(kinds) {
		t.Errorf("enum user_kind has %d kinds, user.go %d", len(found), len(kinds))
	}
	for _, k := range found {
		if want, ok := kinds[k[1]]; !ok || fmt.Sprint(want) != k[2] {
			t.Errorf("%s = %s in the C, %d in user.go", k[1], k[2], want)
		}
		if taken[k[2]] || len(taken) == 0 {
			t.Errorf("%s = %s is one of slowmo.bpf.c's kinds too", k[1], k[2])
		}
	}
	header := regexp.MustCompile(`(?s)struct header \{(.*?)\};`)
	if u, s := header.FindStringSubmatch(user), header.FindStringSubmatch(sched); u == nil || s == nil ||
		strings.Join(strings.Fields(u[1]), " ") != strings.Join(strings.Fields(s[1]), " ") {
		t.Errorf("struct header differs between user.bpf.c and slowmo.bpf.c")
	}
	for name, want := range map[string]int{"USER_NAME_MAX": stream.UserNameMax, "USER_MESSAGE_MAX": stream.UserMessageMax} {
		if !strings.Contains(user, fmt.Sprintf("#define %s %d\n", name, want)) {
			t.Errorf("user.bpf.c's %s is not the protocol's %d", name, want)
		}
	}
}

// TestRegionsOnceWithTheTracerOn: a program that starts the tracer itself
// makes StartRegion and Region.End call the runtime too; each region is
// still said once, with the tracer on or off.
func TestRegionsOnceWithTheTracerOn(t *testing.T) {
	ebpftest.Require(t)
	for _, version := range versions(t) {
		t.Run(version, func(t *testing.T) {
			events := recordRun(t, buildWith(t, version, "selftrace"), 2)
			var got []string
			for _, e := range events {
				switch e.kind() {
				case "user.region":
					verb := map[bool]string{true: "begins", false: "ends"}[e["begin"] == true]
					got = append(got, fmt.Sprintf("%s %s %d@%d", verb, e.str("name"), e.num("task"), e.num("depth")))
				case "user.task":
					got = append(got, fmt.Sprintf("task %s %v", e.str("name"), e["begin"]))
				}
			}
			var want []string
			for _, phase := range []string{"off", "on", "off again"} {
				want = append(want, "begins "+phase+" started 1@0", "begins "+phase+" with 1@1",
					"ends "+phase+" with 1@1", "ends "+phase+" started 1@0")
			}
			want = append([]string{"task self true"}, append(want, "task self false")...)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
