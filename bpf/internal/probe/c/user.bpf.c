// SPDX-License-Identifier: GPL-2.0
// The probes on a program's own runtime/trace annotations: tasks, regions
// and logs, seen with the tracer off (the eBPF backend does not turn it on).
// They are loaded beside slowmo.bpf.c's probes and write to the same ring
// buffer (the loader gives them its map), so their records come in order
// among the scheduler's; user.go reads them. Every probe here is on user
// code, once per call: each reads its arguments from registers (Go's
// register ABI) and makes one record, at a site the kernel emulates (a
// function's PUSH after its stack check, or a conditional branch).
//
// runtime/trace's NewTask, Task.End, Log and WithRegion always call the
// runtime's userTaskCreate, userTaskEnd, userLog and userRegion, which
// return at once with the tracer off: the probes sit at their entries.
// StartRegion, with the tracer off, returns a shared noopRegion without
// calling anything, and Region.End (inlined where it is called) returns at
// once for it: StartRegion's entry and the branch after each Region.End's
// comparison with noopRegion are probed (target/annotations.go).

#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

// Set by the loader (user.go); target_tgid last: until then nothing is recorded.
volatile __u32 target_tgid = 0;
volatile __u64 off_g_goid = 0, off_g_m = 0, off_m_id = 0, off_m_p = 0, off_p_id = 0;
// runtime/trace.tracing.enabled: StartRegion's own test (0: unknown, taken as off).
volatile __u64 addr_tracing_enabled = 0;
// Runtime type descriptors for the context walk (see task_of); 0: unknown.
volatile __u64 type_value_ctx = 0, type_task_key = 0;
#define PARENT_TYPES 8
volatile __u64 type_parent_ctx[PARENT_TYPES] = {};

// Records that found the ring buffer full: added to run.end.lost.
__u64 lost = 0;

// The record kinds here, after slowmo.bpf.c's (user.go's constants; its test checks them).
enum user_kind {
	K_USER_TASK = 64,       // a: task id, parent id, name length; name
	K_USER_TASK_END = 65,   // a: task id
	K_USER_REGION = 66,     // a: task id, 0, name length; name
	K_USER_REGION_END = 67, // the goroutine's innermost region ended
	K_USER_LOG = 68,        // a: task id, 0, category length, message length; category, message
};

// Strings are read up to the protocol's limits (events.ts: USER_NAME_MAX,
// USER_MESSAGE_MAX); the lengths in a are the program's, so the reader
// knows when one was cut.
#define USER_NAME_MAX 128
#define USER_MESSAGE_MAX 512

// The same header as slowmo.bpf.c's struct header (user_test.go checks it).
struct header {
	__u64 ts;
	__u32 kind;
	__u32 tid;
	__s64 m, p, g;
	__u64 a[5];
};

struct name_record {
	struct header h;
	char name[USER_NAME_MAX];
};

struct log_record {
	struct header h;
	char category[USER_NAME_MAX];
	char message[USER_MESSAGE_MAX];
};

// Replaced at load by slowmo.bpf.c's map of the same name and kind.
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

// The calls come from user code: R14 is the goroutine itself.
static __always_inline int context(struct header *h, struct pt_regs *ctx, __u32 kind)
{
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid || !target_tgid)
		return 0;
	__u64 g = ctx->r14;
	__u64 m = rd(g + off_g_m);
	__u64 p = m ? rd(m + off_m_p) : 0;
	h->ts = bpf_ktime_get_ns();
	h->kind = kind;
	h->tid = (__u32)bpf_get_current_pid_tgid();
	h->m = m ? (__s64)rd(m + off_m_id) : -1;
	h->p = p ? (__s64)(__s32)rd(p + off_p_id) : -1;
	h->g = (__s64)rd(g + off_g_goid);
	h->a[0] = h->a[1] = h->a[2] = h->a[3] = h->a[4] = 0;
	return 1;
}

// read_string copies up to max bytes of the Go string (ptr, len) into buf.
static __always_inline void read_string(char *buf, __u32 max, __u64 ptr, __u64 len)
{
	__u32 n = len < max ? (__u32)len : max;
	if (n && ptr)
		bpf_probe_read_user(buf, n & (2 * max - 1), (void *)ptr);
}

static __always_inline void name_record(struct pt_regs *ctx, __u32 kind, __u64 task, __u64 a1, __u64 ptr,
					__u64 len)
{
	struct header cx;
	if (!context(&cx, ctx, kind))
		return;
	struct name_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	r->h = cx;
	r->h.a[0] = task;
	r->h.a[1] = a1;
	r->h.a[2] = len;
	read_string(r->name, USER_NAME_MAX, ptr, len);
	bpf_ringbuf_submit(r, 0);
}

static __always_inline void header_record(struct pt_regs *ctx, __u32 kind, __u64 task)
{
	struct header cx;
	if (!context(&cx, ctx, kind))
		return;
	struct header *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!h) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	*h = cx;
	h->a[0] = task;
	bpf_ringbuf_submit(h, 0);
}

// userTaskCreate(id, parentID uint64, taskType string): RAX, RBX, (RCX, RDI).
SEC("uprobe/user_task")
int user_task(struct pt_regs *ctx)
{
	name_record(ctx, K_USER_TASK, ctx->rax, ctx->rbx, ctx->rcx, ctx->rdi);
	return 0;
}

// userTaskEnd(id uint64): RAX.
SEC("uprobe/user_task_end")
int user_task_end(struct pt_regs *ctx)
{
	header_record(ctx, K_USER_TASK_END, ctx->rax);
	return 0;
}

// userRegion(id, mode uint64, regionType string): RAX, RBX (0 begin, 1 end), (RCX, RDI).
SEC("uprobe/user_region")
int user_region(struct pt_regs *ctx)
{
	if (ctx->rbx == 0)
		name_record(ctx, K_USER_REGION, ctx->rax, 0, ctx->rcx, ctx->rdi);
	else if (ctx->rbx == 1)
		header_record(ctx, K_USER_REGION_END, 0);
	return 0;
}

// userLog(id uint64, category, message string): RAX, (RBX, RCX), (RDI, RSI).
SEC("uprobe/user_log")
int user_log(struct pt_regs *ctx)
{
	struct header cx;
	if (!context(&cx, ctx, K_USER_LOG))
		return 0;
	struct log_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	r->h = cx;
	r->h.a[0] = ctx->rax;
	r->h.a[2] = ctx->rcx;
	r->h.a[3] = ctx->rsi;
	read_string(r->category, USER_NAME_MAX, ctx->rbx, ctx->rcx);
	read_string(r->message, USER_MESSAGE_MAX, ctx->rdi, ctx->rsi);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

#define CTX_DEPTH 16

static __always_inline int parent_first(__u64 type)
{
	for (int i = 0; i < PARENT_TYPES; i++)
		if (type_parent_ctx[i] && type_parent_ctx[i] == type)
			return 1;
	return 0;
}

// task_of finds the task in a context.Context (itab, data) as
// runtime/trace's fromContext does (ctx.Value(traceContextKey{})), by
// walking the context package's own types: a *valueCtx with that key holds
// the *Task (whose id is its first word); the others, and a *valueCtx with
// another key, hold their parent first. A context type of the program's own
// stops the walk: its task is said as the background task (0). The itab's
// second word is the concrete type.
static __always_inline __u64 task_of(__u64 itab, __u64 data)
{
	if (!type_value_ctx || !type_task_key)
		return 0;
	for (int i = 0; i < CTX_DEPTH; i++) {
		if (!itab || !data)
			return 0;
		__u64 type = rd(itab + 8);
		// parent (itab, data), key (type, data), value (type, data)
		__u64 c[6] = {};
		if (type == type_value_ctx) {
			if (bpf_probe_read_user(c, sizeof(c), (void *)data))
				return 0;
			if (c[2] == type_task_key)
				return c[5] ? rd(c[5]) : 0;
		} else if (!parent_first(type) || bpf_probe_read_user(c, 16, (void *)data)) {
			return 0;
		}
		itab = c[0];
		data = c[1];
	}
	return 0;
}

// StartRegion(ctx context.Context, regionType string): (RAX, RBX), (RCX, RDI).
// With the tracer on it calls userRegion, which says the region.
SEC("uprobe/user_start_region")
int user_start_region(struct pt_regs *ctx)
{
	__u32 on = 0;
	if (addr_tracing_enabled)
		bpf_probe_read_user(&on, sizeof(on), (void *)addr_tracing_enabled);
	if (on || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	name_record(ctx, K_USER_REGION, task_of(ctx->rax, ctx->rbx), 0, ctx->rcx, ctx->rdi);
	return 0;
}

#define ZF 0x40

// The branch after Region.End's comparison with noopRegion: equal is a
// region StartRegion did not record (the tracer was off), which ends here
// unsaid by userRegion.
SEC("uprobe/user_region_end")
int user_region_end(struct pt_regs *ctx)
{
	if (ctx->eflags & ZF)
		header_record(ctx, K_USER_REGION_END, 0);
	return 0;
}
