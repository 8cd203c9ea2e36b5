"""The lessons as data: markdown, worked examples and exercises with checkpoints.

Go code is written with four-space indents here; the builder turns them into tabs.
Each exercise is ('exercise', starter, solution, slowmo_metadata).
"""


def ev(kind, min=1, **where):
    c = {'type': 'event', 'kind': kind}
    if where:
        c['where'] = where
    if min != 1:
        c['min'] = min
    return c


def seq(*steps):
    return {'type': 'sequence', 'steps': [dict(kind=k, where=w) if w else {'kind': k} for k, w in steps]}


def state(metric, op, value, when=None):
    c = {'type': 'state', 'metric': metric, 'op': op, 'value': value}
    if when:
        c['when'] = when
    return c


def cp(id, title, check, hint=None):
    c = {'id': id, 'title': title, 'check': check}
    if hint:
        c['hint'] = hint
    return c


def NOT(check):
    return {'type': 'not', 'check': check}


def ANY(*checks):
    return {'type': 'any', 'of': list(checks)}


V = lambda name: {'var': name}  # noqa: E731

TRACE_QUEUES = """> **With the trace backend** (used where eBPF is not allowed, for example on mybinder.org) the
> picture cannot see what is inside a run queue or the runnext slot: those places are drawn as
> *inferred*. Look at the order in which goroutines start running on each P instead: that order
> comes from the queues."""

# --------------------------------------------------------------------------------------------
L01 = {
    'name': '01-goroutines-gmp',
    'title': 'Goroutines and the G/M/P model',
    'blurb': 'what G, M and P are, and how to read the picture.',
    'cells': [
        ('md', """# Lesson 1: Goroutines and the G/M/P model

A Go program runs many **goroutines** at once. The Go runtime needs three kinds of things to run them:

- **G** is a goroutine: a function that runs, with its own small stack.
- **M** is a machine: an operating system thread. Only an M can execute code.
- **P** is a processor: a permit to run Go code. An M must hold a P to run a G.
  There are `GOMAXPROCS` Ps, so at most `GOMAXPROCS` goroutines run Go code at the same time.

In the picture each P is a box. Inside the box you see the M that holds it and the G it runs.
Goroutines that wait (for a channel, a lock, a timer...) are drawn apart, grouped by why they wait.

Your program starts as one goroutine, `g1`, which runs `main.main`. The runtime also starts a few
goroutines of its own (for the garbage collector, for finalizers): you will see them too."""),
        ('md', """## Worked example: three goroutines say hello

Run the cell. Then step through the timeline and watch for three moments:

1. `g1` (main) creates a goroutine with the `go` statement: a new G appears.
2. The new G runs on a P: it moves into the P box.
3. The G finishes and disappears. `main` waits for all of them with a `sync.WaitGroup`.

The checkpoints under the picture were written for this example, so they pass."""),
        ('example', """package main

import (
    "fmt"
    "sync"
)

func hello(name string, wg *sync.WaitGroup) {
    defer wg.Done()
    fmt.Println("hello from", name)
}

func main() {
    var wg sync.WaitGroup
    for _, name := range []string{"ann", "bob", "cid"} {
        wg.Add(1)
        go hello(name, &wg)
    }
    wg.Wait()
    fmt.Println("main is done")
}
""", {'gomaxprocs': 2, 'checkpoints': [
            cp('three-created', 'Three goroutines run main.hello', ev('g.create', min=3, fn='main.hello')),
            cp('one-lifecycle', 'A goroutine was created, ran and finished',
               seq(('g.create', {'fn': 'main.hello', 'goid': V('g')}), ('g.running', {'goid': V('g')}),
                   ('g.exit', {'goid': V('g')}))),
        ]}),
        ('md', """## Exercise 1: start five workers

The program below calls `work` five times, one after the other, all in `g1`. No new goroutine is
created, so the picture only ever shows `g1` busy.

Change it so that each call to `work` runs in **its own goroutine**, and make `main` wait until
all five are done (if `main` returns first, the program ends and the workers never run).

The checkpoints show ✘ now. Run the cell again after your change."""),
        ('exercise', """package main

import "fmt"

func work(n int) {
    fmt.Println("worker", n, "says hi")
}

func main() {
    for i := 1; i <= 5; i++ {
        work(i)
    }
    fmt.Println("all done")
}
""", """package main

import (
    "fmt"
    "sync"
)

func work(n int, wg *sync.WaitGroup) {
    defer wg.Done()
    fmt.Println("worker", n, "says hi")
}

func main() {
    var wg sync.WaitGroup
    for i := 1; i <= 5; i++ {
        wg.Add(1)
        go work(i, &wg)
    }
    wg.Wait()
    fmt.Println("all done")
}
""", {'gomaxprocs': 2, 'checkpoints': [
            cp('five-workers', 'Five goroutines run main.work', ev('g.create', min=5, fn='main.work'),
               'Put the word go in front of the call: go work(i). Each go statement creates one G.'),
            cp('worker-finished', 'A worker ran to its end before the program stopped',
               seq(('g.create', {'fn': 'main.work', 'goid': V('g')}), ('g.exit', {'goid': V('g')})),
               'main must wait: use a sync.WaitGroup (wg.Add(1) before go, defer wg.Done() in work, wg.Wait() at the end).'),
        ]}),
        ('md', """## Summary

- A **G** is a goroutine, an **M** is an OS thread, a **P** is a permit to run Go code.
- An M needs a P to run a G. There are `GOMAXPROCS` Ps.
- The `go` statement creates a G. When `main` returns, the whole program ends, even if other
  goroutines have not run yet.

Next: [Lesson 2](02-creation-and-runnext.ipynb) shows where a new goroutine waits before it runs."""),
    ],
}

# --------------------------------------------------------------------------------------------
L02 = {
    'name': '02-creation-and-runnext',
    'title': 'Creation and the runnext slot',
    'blurb': 'where a new goroutine goes, and why the newest one often runs first.',
    'cells': [
        ('md', """# Lesson 2: Creation and the runnext slot

When a goroutine runs `go f()`, the new G does not start at once. It must wait until a P is free.
It waits on the P of the goroutine that created it, in one of two places:

- the **runnext** slot: room for exactly one G, the one that runs next;
- the **local run queue**: a line of Gs, first in, first out.

A new G always goes into **runnext**. If runnext was already taken, the G that was there is
kicked out to the **tail** of the local run queue. So the newest goroutine is the one that runs
next. (This makes a goroutine that was just created, or just woken up, run quickly, while its data
is still warm in the CPU cache.)

In this lesson we use `GOMAXPROCS=1`: one P, so only one goroutine runs at a time and the order is
easy to follow."""),
        ('md', """## Worked example: the newest goroutine runs first

`main` creates three goroutines: "one", "two", "three". Run it and look at the output: "three"
prints first.

In the picture, watch the P box while `main` runs the `go` statements: the runnext slot holds the
newest G, and the local queue grows behind it. When `main` parks in `wg.Wait()`, the P takes the G
in runnext first, then the queue from its head."""),
        ('md', TRACE_QUEUES),
        ('example', """package main

import (
    "fmt"
    "sync"
)

func say(word string, wg *sync.WaitGroup) {
    defer wg.Done()
    fmt.Println(word)
}

func main() {
    var wg sync.WaitGroup
    wg.Add(3)
    go say("one", &wg)
    go say("two", &wg)
    go say("three", &wg)
    wg.Wait()
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('into-runnext', 'Each new goroutine goes into runnext',
               ev('g.runnable', min=3, queue='runnext', reason='create')),
            cp('kicked-out', 'The newest G takes runnext and kicks the previous one into the local queue',
               seq(('g.create', {'fn': 'main.say', 'goid': V('a')}), ('g.create', {'fn': 'main.say', 'goid': V('b')}),
                   ('runq', {'runnext': V('b'), 'goids': {'contains': V('a')}}))),
            cp('newest-first', 'The last goroutine created ran before the first one',
               seq(('g.create', {'fn': 'main.say', 'goid': V('a')}), ('g.create', {'fn': 'main.say', 'goid': V('b')}),
                   ('g.create', {'fn': 'main.say', 'goid': V('c')}), ('g.running', {'goid': V('c')}),
                   ('g.running', {'goid': V('a')}))),
        ]}),
        ('md', """## Exercise 2: first things first

Here `main` starts `first` and then `second`, with one P. Each sends its name to `main`, which
prints the names in the order they arrive. Run it: "second" comes before "first".

Change **only the order** of things in `main` so that the goroutine running `first` runs before the
one running `second`. Think about which G sits in runnext when `main` parks."""),
        ('exercise', """package main

import "fmt"

func first(done chan string) {
    done <- "first"
}

func second(done chan string) {
    done <- "second"
}

func main() {
    done := make(chan string)
    go first(done)
    go second(done)
    fmt.Println(<-done)
    fmt.Println(<-done)
}
""", """package main

import "fmt"

func first(done chan string) {
    done <- "first"
}

func second(done chan string) {
    done <- "second"
}

func main() {
    done := make(chan string)
    go second(done)
    go first(done)
    fmt.Println(<-done)
    fmt.Println(<-done)
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('first-runs-first', 'The goroutine running first ran before the one running second',
               ANY(seq(('g.create', {'fn': 'main.first', 'goid': V('a')}), ('g.running', {'goid': V('a')}),
                       ('g.create', {'fn': 'main.second', 'goid': V('b')})),
                   seq(('g.create', {'fn': 'main.first', 'goid': V('a')}), ('g.create', {'fn': 'main.second', 'goid': V('b')}),
                       ('g.running', {'goid': V('a')}), ('g.running', {'goid': V('b')})),
                   seq(('g.create', {'fn': 'main.second', 'goid': V('b')}), ('g.create', {'fn': 'main.first', 'goid': V('a')}),
                       ('g.running', {'goid': V('a')}), ('g.running', {'goid': V('b')}))),
               'The G created last sits in runnext and runs first. Which go statement should come last?'),
        ]}),
        ('md', """## Summary

- A new G goes into its creator's P, in the **runnext** slot.
- A newer G pushes the older one out of runnext to the tail of the **local run queue**.
- With one P, the newest goroutine runs first; the others follow in queue order.
- Never rely on this order in real programs: use channels or locks when order matters.

Next: [Lesson 3](03-local-run-queue.ipynb): how long can the local queue get?"""),
    ],
}

# --------------------------------------------------------------------------------------------
L03 = {
    'name': '03-local-run-queue',
    'title': 'The local run queue and its 256 slots',
    'blurb': 'each P has a queue of 256 goroutines; what happens when it is full.',
    'cells': [
        ('md', """# Lesson 3: The local run queue and its 256 slots

Each P has its own **local run queue**. It is a ring of **256 slots** (plus the one runnext slot).
Only its own P adds to it, so adding is cheap: no lock is needed.

What if a P makes more goroutines than that? When the local queue is full, the P moves **half of
it** (128 Gs) plus the new one to the **global run queue**, which all Ps share. In the event
stream those moves are `g.runnable` events with reason `overflow` and queue `global`.

We use `GOMAXPROCS=1` again, so no other P takes work away while `main` fills the queue."""),
        ('md', """## Worked example: 200 goroutines wait in line

`main` creates 200 goroutines before it parks. Step through the creation: the P's local queue
grows by one each time. Then jump to the `g.waiting` of `main`: from there the P runs them one by
one and the queue shrinks. 200 fit, so nothing goes to the global queue."""),
        ('md', TRACE_QUEUES),
        ('example', """package main

import (
    "fmt"
    "sync"
)

const n = 200

func work(wg *sync.WaitGroup) {
    wg.Done()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < n; i++ {
        wg.Add(1)
        go work(&wg)
    }
    wg.Wait()
    fmt.Println(n, "goroutines ran")
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('long-queue', "P0's runnext and local queue held 200 goroutines",
               state({'name': 'runqLength', 'p': 0}, '>=', 200)),
            cp('no-overflow', 'Nothing overflowed to the global queue', NOT(ev('g.runnable', reason='overflow'))),
        ]}),
        ('md', """## Exercise 3: make the queue overflow

Change `n` so that P0's local queue **overflows**: some goroutines must be moved to the global run
queue. After your run, jump to the first `g.runnable` event with queue `global` and look at the
global queue in the picture: how many goroutines moved there at once?"""),
        ('exercise', """package main

import (
    "fmt"
    "sync"
)

const n = 100

func work(wg *sync.WaitGroup) {
    wg.Done()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < n; i++ {
        wg.Add(1)
        go work(&wg)
    }
    wg.Wait()
    fmt.Println(n, "goroutines ran")
}
""", """package main

import (
    "fmt"
    "sync"
)

const n = 300

func work(wg *sync.WaitGroup) {
    wg.Done()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < n; i++ {
        wg.Add(1)
        go work(&wg)
    }
    wg.Wait()
    fmt.Println(n, "goroutines ran")
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('overflow', 'The local queue overflowed into the global queue',
               ev('g.runnable', queue='global', reason='overflow'),
               'The local queue has 256 slots, plus runnext. Make n bigger than that.'),
            cp('half-moved', 'Half a queue (at least 128 goroutines) sat in the global queue at once',
               state({'name': 'globalqLength'}, '>=', 128)),
        ]}),
        ('md', """## Summary

- Each P has a local run queue of **256** slots, plus the runnext slot.
- When it is full, the P moves **half** of it, and the new G, to the **global run queue**.
- The global queue is shared by all Ps and needs a lock, so Go uses it only when it must.

Next: [Lesson 4](04-global-queue-and-fairness.ipynb): who runs the goroutines in the global queue?"""),
    ],
}

# --------------------------------------------------------------------------------------------
L04 = {
    'name': '04-global-queue-and-fairness',
    'title': 'The global queue and fairness',
    'blurb': 'how a P takes work from the global queue, and the "every 61st time" rule.',
    'cells': [
        ('md', """# Lesson 4: The global queue and fairness

A P looks for its next goroutine in this order, most of the time:

1. its runnext slot, then its local run queue;
2. if both are empty: the **global run queue**, taking a *batch* of goroutines at once (it moves
   them into its local queue);
3. then the network poller, then other Ps' queues (lesson 7).

But then a goroutine in the global queue could wait forever while a P always has local work. To be
**fair**, the P counts how many times it has scheduled a goroutine (its `schedtick`). Every
**61st** time (`schedtick % 61 == 0`), it takes **one** goroutine from the global queue first, even
if its local queue is full.

The picture does not show `schedtick`, but you can see its effect: a G from the global queue runs
while the local queue still holds Gs that are waiting."""),
        ('md', """## Worked example: 300 goroutines, one P

With 300 goroutines the local queue overflows (lesson 3): 129 go to the global queue, the rest stay
local. After `main` parks, step through the timeline and keep an eye on the global queue. Around
the 61st goroutine that runs, one G leaves the global queue although P0's local queue is far from
empty. About 61 runs later it happens again. When the local queue is finally empty, the P takes a
big batch from the global queue at once."""),
        ('md', TRACE_QUEUES + """
> With the trace backend, count the goroutines that start to run: roughly every 61st one is one of
> the early goroutines (a low goid), that is, one from the global queue."""),
        ('example', """package main

import (
    "fmt"
    "sync"
)

const n = 300

func work(wg *sync.WaitGroup) {
    wg.Done()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < n; i++ {
        wg.Add(1)
        go work(&wg)
    }
    wg.Wait()
    fmt.Println(n, "goroutines ran")
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('global-used', 'Goroutines waited in the global queue', state({'name': 'globalqLength'}, '>=', 100)),
            cp('fair', 'A G from the global queue ran before a G that was queued locally after it',
               seq(('g.runnable', {'queue': 'global', 'reason': 'overflow', 'goid': V('x')}),
                   ('g.create', {'fn': 'main.work', 'goid': V('y')}),
                   ('g.running', {'goid': V('x')}), ('g.running', {'goid': V('y')}))),
            cp('batch', 'Later the P took a whole batch from the global queue at once',
               seq(('globalq', {'goids': {'length': {'op': '>=', 'value': 64}}}),
                   ('globalq', {'goids': {'length': {'op': '==', 'value': 0}}}))),
        ]}),
        ('md', """## Exercise 4: see the fairness rule

In the program below the local queue never overflows, so the global queue stays empty and the
fairness rule has nothing to do.

Change `n` so that goroutines go to the global queue **and** one of them runs before a goroutine
that was put in the local queue after it. Then find that moment in the timeline."""),
        ('exercise', """package main

import (
    "fmt"
    "sync"
)

const n = 150

func work(wg *sync.WaitGroup) {
    wg.Done()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < n; i++ {
        wg.Add(1)
        go work(&wg)
    }
    wg.Wait()
    fmt.Println(n, "goroutines ran")
}
""", """package main

import (
    "fmt"
    "sync"
)

const n = 400

func work(wg *sync.WaitGroup) {
    wg.Done()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < n; i++ {
        wg.Add(1)
        go work(&wg)
    }
    wg.Wait()
    fmt.Println(n, "goroutines ran")
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('fair', 'A G from the global queue ran before a G that was queued locally after it',
               seq(('g.runnable', {'queue': 'global', 'reason': 'overflow', 'goid': V('x')}),
                   ('g.create', {'fn': 'main.work', 'goid': V('y')}),
                   ('g.running', {'goid': V('x')}), ('g.running', {'goid': V('y')})),
               'Goroutines only reach the global queue when the local one (256 slots) overflows, and then enough must stay local for 61 more runs.'),
        ]}),
        ('md', """## Summary

- The global run queue is shared by all Ps. A P with an empty local queue takes a **batch** from it.
- To be fair, every **61st** schedule a P takes **one** G from the global queue first.
- So no goroutine in the global queue waits forever, even when a P always has local work.

Next: [Lesson 5](05-channels-block-and-wake.ipynb): goroutines that wait for each other."""),
    ],
}

# --------------------------------------------------------------------------------------------
L05 = {
    'name': '05-channels-block-and-wake',
    'title': 'Channels: blocking and waking',
    'blurb': 'a goroutine that waits on a channel parks; another one wakes it.',
    'cells': [
        ('md', """# Lesson 5: Channels: blocking and waking

When a goroutine cannot go on (it receives from a channel that is empty, or sends to a channel
that nobody receives from), it does not keep the P busy. It **parks**: its status becomes
*waiting*, it leaves the P, and the P runs another goroutine. In the picture it moves to the group
of waiting goroutines, labelled with the reason, like `chan receive` or `chan send`.

Later another goroutine does the matching send or receive. It **wakes** the parked one (event
`g.runnable`, reason `ready`): the woken G goes into the waker's runnext slot, so it runs soon."""),
        ('md', """## Worked example: ping-pong

`main` sends a number on `ping`; `ponger` sends it back plus one on `pong`. With one P, only one of
them runs at a time. Step through and follow one round. On an unbuffered channel, whoever gets
there first parks: in `chan send` if it is sending, in `chan receive` if it is receiving. The other
one takes the value and wakes it, into its own P's runnext slot. Which of the two parks first can
change from run to run (it depends on when the runtime's own goroutines run at start-up). The
waiting group in the picture shows who waits, why, and on which line."""),
        ('example', """package main

import "fmt"

func ponger(ping, pong chan int) {
    for v := range ping {
        pong <- v + 1
    }
    close(pong)
}

func main() {
    ping, pong := make(chan int), make(chan int)
    go ponger(ping, pong)
    for i := 0; i < 3; i++ {
        ping <- i
        fmt.Println("got", <-pong)
    }
    close(ping)
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('parks', 'A goroutine parked on a channel in main.go',
               ev('g.waiting', reason={'in': ['chan receive', 'chan send']}, file='main.go')),
            cp('woken', 'A goroutine parked on a channel was woken up and put in runnext',
               seq(('g.waiting', {'reason': {'in': ['chan receive', 'chan send']}, 'file': 'main.go', 'goid': V('g')}),
                   ('g.runnable', {'goid': V('g'), 'reason': 'ready', 'queue': 'runnext'}))),
        ]}),
        ('md', """## Exercise 5: make the sender wait

Here `producer` sends five numbers on a channel with a **buffer** of 10. A send to a buffered
channel with free room never blocks, so `producer` never parks in `chan send`.

Change the program so that `producer` **parks on a send** at least once, and is woken up later.
Keep all five numbers flowing to `main`."""),
        ('exercise', """package main

import "fmt"

func producer(ch chan int) {
    for i := 0; i < 5; i++ {
        ch <- i
    }
    close(ch)
}

func main() {
    ch := make(chan int, 10)
    go producer(ch)
    for v := range ch {
        fmt.Println("got", v)
    }
}
""", """package main

import "fmt"

func producer(ch chan int) {
    for i := 0; i < 5; i++ {
        ch <- i
    }
    close(ch)
}

func main() {
    ch := make(chan int)
    go producer(ch)
    for v := range ch {
        fmt.Println("got", v)
    }
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('send-parks', 'The producer parked on a channel send',
               ev('g.waiting', reason='chan send'),
               'A send only blocks when there is no room in the buffer and no receiver waiting. Try a smaller buffer, or none.'),
            cp('send-woken', 'The parked sender was woken up again',
               seq(('g.waiting', {'reason': 'chan send', 'goid': V('g')}), ('g.runnable', {'goid': V('g'), 'reason': 'ready'}))),
        ]}),
        ('md', """## Summary

- A goroutine that cannot go on **parks**: it leaves its P, which runs someone else.
- The wait reason says why: `chan receive`, `chan send`, `select`, ...
- The goroutine that makes progress possible **wakes** it: the woken G goes into its runnext slot.
- An unbuffered channel makes sender and receiver meet; a buffer lets the sender run ahead.

Next: [Lesson 6](06-mutexes-and-sync.ipynb): locks and wait groups."""),
    ],
}

# --------------------------------------------------------------------------------------------
MUTEX_REASONS = {'in': ['sync.Mutex.Lock', 'semacquire']}
L06 = {
    'name': '06-mutexes-and-sync',
    'title': 'Mutexes and sync',
    'blurb': 'goroutines that wait for a lock or a WaitGroup park too.',
    'cells': [
        ('md', """# Lesson 6: Mutexes and sync

`sync.Mutex` and `sync.WaitGroup` block goroutines just like channels do. A goroutine that calls
`mu.Lock()` while another goroutine holds the lock parks with the wait reason `sync.Mutex.Lock`.
`wg.Wait()` parks with `sync.WaitGroup.Wait`. When the lock is unlocked (or the counter reaches
zero), the runtime wakes a waiter.

Version note: Go 1.22 and 1.23 show a goroutine in `wg.Wait()` with the older, vaguer reason
`semacquire`; Go 1.24 and later say `sync.WaitGroup.Wait`. For a lock, every supported version says
`sync.Mutex.Lock`, but the place it points to is inside the `sync` package, not your line."""),
        ('md', """## Worked example: holding a lock while sleeping

Three goroutines each take the lock, add one to `total`, and then sleep for a millisecond **while
still holding the lock**. Look at the waiting group in the picture: one G sleeps (`sleep`) and the
others pile up behind it in `sync.Mutex.Lock`. `main` waits in `wg.Wait()`."""),
        ('example', """package main

import (
    "fmt"
    "sync"
    "time"
)

var mu sync.Mutex
var total int

func add(wg *sync.WaitGroup) {
    defer wg.Done()
    mu.Lock()
    total++
    time.Sleep(time.Millisecond)
    mu.Unlock()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < 3; i++ {
        wg.Add(1)
        go add(&wg)
    }
    wg.Wait()
    fmt.Println("total", total)
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('lock-waits', 'Goroutines parked waiting for the lock', ev('g.waiting', min=2, reason=MUTEX_REASONS)),
            cp('two-at-once', 'Two goroutines waited for the lock at the same time',
               state({'name': 'waiting', 'reason': 'sync.Mutex.Lock'}, '>=', 2)),
        ]}),
        ('md', """## Exercise 6: a short critical section

The program below is the same as the example, but with five goroutines. They spend most of their
time waiting for the lock, although the lock only protects `total++`.

Change `add` so that the lock is held **only** around `total++`. Every goroutine should still
sleep, but no goroutine should have to wait for the lock. `total` must still be right."""),
        ('exercise', """package main

import (
    "fmt"
    "sync"
    "time"
)

var mu sync.Mutex
var total int

func add(wg *sync.WaitGroup) {
    defer wg.Done()
    mu.Lock()
    total++
    time.Sleep(time.Millisecond)
    mu.Unlock()
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < 5; i++ {
        wg.Add(1)
        go add(&wg)
    }
    wg.Wait()
    fmt.Println("total", total)
}
""", """package main

import (
    "fmt"
    "sync"
    "time"
)

var mu sync.Mutex
var total int

func add(wg *sync.WaitGroup) {
    defer wg.Done()
    mu.Lock()
    total++
    mu.Unlock()
    time.Sleep(time.Millisecond)
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < 5; i++ {
        wg.Add(1)
        go add(&wg)
    }
    wg.Wait()
    fmt.Println("total", total)
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('all-sleep', 'All five goroutines still sleep', ev('g.waiting', min=5, reason='sleep', file='main.go'),
               'Keep the time.Sleep call in add.'),
            cp('no-lock-wait', 'No goroutine had to wait for the lock', NOT(ev('g.waiting', reason=MUTEX_REASONS)),
               'Unlock before you sleep: hold a lock for as short a time as you can.'),
        ]}),
        ('md', """## Summary

- A goroutine blocked on `Lock` or `wg.Wait()` parks, just like on a channel, and frees its P.
- A lock held for a long time makes other goroutines queue behind it, doing nothing.
- Keep critical sections short: lock, touch the shared data, unlock.

Next: [Lesson 7](07-work-stealing.ipynb): what an idle P does."""),
    ],
}

# --------------------------------------------------------------------------------------------
SPIN_SOLO = """package main

import "fmt"

var sink [8]int

func spin(i int) {
    for j := 0; j < 3000000; j++ {
        sink[i%8] += j
    }
}

func main() {
    for i := 0; i < 16; i++ {
        spin(i)
    }
    fmt.Println("done", sink[0] > 0)
}
"""
SPIN_GO = """package main

import (
    "fmt"
    "sync"
)

var sink [8]int

func spin(i int, wg *sync.WaitGroup) {
    defer wg.Done()
    for j := 0; j < 3000000; j++ {
        sink[i%8] += j
    }
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < 16; i++ {
        wg.Add(1)
        go spin(i, &wg)
    }
    wg.Wait()
    fmt.Println("done", sink[0] > 0)
}
"""
STOLEN = seq(('g.create', {'fn': 'main.spin', 'goid': V('g')}), ('steal', {'goids': {'contains': V('g')}}))
L07 = {
    'name': '07-work-stealing',
    'title': 'Work stealing',
    'blurb': 'an idle P takes half of a busy P\'s queue.',
    'cells': [
        ('md', """# Lesson 7: Work stealing

All new goroutines go to the P of their creator. If one goroutine creates all the work, one P
gets all of it. What do the other Ps do?

A P with nothing to run gets an M that **spins**: it looks for work. After its own queues and the
global queue, it picks other Ps in random order and **steals half** of one's local run queue
(taking from the head). In the picture a steal is drawn from the victim P to the thief P; the
event is `steal` with the thief, the victim and the stolen goroutines."""),
        ('md', """## Worked example: 16 busy goroutines on 2 Ps

`main` creates 16 goroutines that each count for a while, then waits. All 16 start on P0. Use the
timeline to jump to the next `steal` event: P1 takes goroutines from P0, and from then on both
Ps run `spin` goroutines at once.

Stealing needs `GOMAXPROCS` of 2 or more, and enough work that P0's queue is not empty by the time
P1 comes looking."""),
        ('md', """> **With the trace backend** steals are not visible as such: you see a goroutine created on P0
> start to run on P1. That is what a steal looks like from outside."""),
        ('example', SPIN_GO, {'gomaxprocs': 2, 'checkpoints': [
            cp('stolen', 'A spin goroutine was stolen by another P', STOLEN),
            cp('two-ps', 'Some spin goroutines ran on a P other than P0',
               seq(('g.create', {'fn': 'main.spin', 'goid': V('g')}), ('g.running', {'goid': V('g'), 'p': 1}))),
        ]}),
        ('md', """## Exercise 7: give the other P something to steal

This program does the same work, but all of it inside `main`, one call after the other. There is
only one goroutine, so P1 has nothing to steal and stays idle.

Make each call to `spin` its own goroutine (and wait for them all), so that P1 steals some."""),
        ('exercise', SPIN_SOLO, SPIN_GO, {'gomaxprocs': 2, 'checkpoints': [
            cp('stolen', 'A spin goroutine was stolen by another P', STOLEN,
               'Only goroutines waiting in a run queue can be stolen. Start spin with go, and use a sync.WaitGroup.'),
        ]}),
        ('md', """## Summary

- New goroutines start on their creator's P, so work can pile up on one P.
- An idle P **spins** and **steals half** of another P's local run queue.
- Stealing spreads work without a central lock: the busy P does not even notice.

Next: [Lesson 8](08-syscalls-and-handoff.ipynb): what happens when a goroutine enters the kernel."""),
    ],
}

# --------------------------------------------------------------------------------------------
SYSCALL_PROG = """package main

import (
    "fmt"
    "sync"
    "syscall"
    "time"
)

func counter(wg *sync.WaitGroup) {
    defer wg.Done()
    n := 0
    for i := 0; i < 20000000; i++ {
        n += i
    }
    fmt.Println("counted", n > 0)
}

func sleeper(wg *sync.WaitGroup) {
    defer wg.Done()
    ts := syscall.NsecToTimespec(int64(50 * time.Millisecond))
    syscall.Nanosleep(&ts, nil) // a system call that blocks its thread
}

func main() {
    var wg sync.WaitGroup
    wg.Add(2)
    go counter(&wg)
    go sleeper(&wg)
    wg.Wait()
}
"""
HANDOFF = ANY(*[seq(('g.create', {'fn': 'main.counter', 'goid': V('c')}), ('g.create', {'fn': 'main.sleeper', 'goid': V('s')}),
                    ('g.syscall', {'goid': V('s')}), ('g.running', {'goid': V('c')}), (end, {'goid': V('s')}))
                for end in ('g.syscall.exit', 'g.exit')])
L08 = {
    'name': '08-syscalls-and-handoff',
    'title': 'System calls and P hand-off',
    'blurb': 'a goroutine in a blocking system call keeps its M, but its P moves on.',
    'cells': [
        ('md', """# Lesson 8: System calls and P hand-off

To read a file or sleep in the kernel, a goroutine makes a **system call**. While the kernel works,
the thread (the M) is stuck in the kernel with it. If the M kept its P, no other goroutine could
use that P.

So the runtime lets the P go. Most system calls are quick: the M keeps the P for a moment and
simply carries on when the call returns. If a call takes long, **sysmon** (a runtime thread that
watches everything, without a P) notices within about 20 µs to 10 ms and **hands the P off** to
another M, which runs the other goroutines. When the system call returns, its M must get a P back
before the goroutine can go on.

In the picture, a goroutine in a system call is marked *syscall*, next to the M it blocks.

**Version note.** Up to Go 1.25 a P whose M is in a system call has its own state, `syscall`
(`p.state` events with state `syscall`). **Go 1.26 removed that state**: the P stays `running`
until sysmon takes it away, and the syscall shows only on the goroutine (`g.syscall`). The two
examples below show both."""),
        ('md', """## Worked example: a counter and a sleeper on one P

`sleeper` blocks its thread in the `nanosleep` system call for 50 ms. `counter` needs the CPU.
With one P, step through: `sleeper` runs first (it was created last, so it is in runnext) and
enters the system call. A few milliseconds later P0 gets a new M (look at the M in the P box),
which runs `counter` **while `sleeper` is still in the kernel**. At the end `sleeper` returns and
takes a P again."""),
        ('example', SYSCALL_PROG, {'gomaxprocs': 1, 'checkpoints': [
            cp('handoff', 'counter ran on the P after sleeper entered its system call, before sleeper finished', HANDOFF),
            cp('no-p-syscall', 'Go 1.26 and later: no P is ever in the syscall state',
               NOT(ev('p.state', state='syscall'))),
        ]}),
        ('md', """## Worked example: the same program on Go 1.25

This cell is pinned to Go 1.25 (`goVersion` in its metadata). Jump to the next `p.state` event
after `sleeper`'s `g.syscall`: P0 is now in the `syscall` state, and sysmon later takes it from
there."""),
        ('example', SYSCALL_PROG, {'goVersion': '1.25', 'gomaxprocs': 1, 'checkpoints': [
            cp('handoff', 'counter ran on the P after sleeper entered its system call, before sleeper finished', HANDOFF),
            cp('p-syscall', 'Up to Go 1.25: P0 entered the syscall state', ev('p.state', state='syscall')),
        ]}),
        ('md', """## Exercise 8: wait without holding a thread

In the program below `sleeper` waits with the `nanosleep` system call, which blocks a whole thread
and forces a P hand-off. Go has a better way to wait: `time.Sleep` **parks** the goroutine (lesson
5) and lets the runtime's timers wake it. No thread is blocked.

Change `sleeper` so that it waits 50 ms **without** a system call. The checkpoint wants to see it
park with the reason `sleep`."""),
        ('exercise', SYSCALL_PROG, SYSCALL_PROG.replace('''    "syscall"
''', '').replace('''    ts := syscall.NsecToTimespec(int64(50 * time.Millisecond))
    syscall.Nanosleep(&ts, nil) // a system call that blocks its thread
''', '''    time.Sleep(50 * time.Millisecond) // parks: no thread is blocked
'''), {'gomaxprocs': 1, 'checkpoints': [
            cp('parks', 'sleeper parked with the reason "sleep"',
               seq(('g.create', {'fn': 'main.sleeper', 'goid': V('s')}), ('g.waiting', {'goid': V('s'), 'reason': 'sleep'})),
               'Use time.Sleep instead of syscall.Nanosleep.'),
            cp('no-syscall', 'sleeper made no blocking system call',
               NOT(seq(('g.create', {'fn': 'main.sleeper', 'goid': V('s')}), ('g.syscall', {'goid': V('s')})))),
        ]}),
        ('md', """## Summary

- A goroutine in a system call keeps its **M** busy in the kernel.
- If the call is long, **sysmon** hands the **P** to another M, so other goroutines keep running.
- Go 1.26 removed the P's `syscall` state; before it, a P showed `syscall` while its M was in the kernel.
- Waiting with `time.Sleep`, channels or the network poller parks the goroutine instead: no thread is blocked.

Next: [Lesson 9](09-netpoller-and-timers.ipynb): how the runtime waits for the network and for time."""),
    ],
}

# --------------------------------------------------------------------------------------------
L09 = {
    'name': '09-netpoller-and-timers',
    'title': 'The network poller and timers',
    'blurb': 'network I/O and sleeps park goroutines; no thread waits for them.',
    'cells': [
        ('md', """# Lesson 9: The network poller and timers

A server may have 10,000 connections open, each with a goroutine waiting to read. If each one
blocked a thread in a system call, that would be 10,000 threads. Go does better:

- **Network I/O.** Sockets are put in non-blocking mode. When a read would block, the goroutine
  **parks** with the reason `IO wait`. One **network poller** (epoll on Linux) watches all sockets;
  when data arrives, the scheduler gets the goroutine back and runs it.
- **Timers.** `time.Sleep` and timeouts park the goroutine with the reason `sleep` (or `select`).
  Each P keeps a heap of timers; when one is due, the scheduler wakes its goroutine.

Either way, a waiting goroutine costs a few kilobytes, not a thread."""),
        ('md', """## Worked example: a tiny TCP exchange

`main` listens on a local port, a goroutine accepts a connection and reads 5 bytes, and `main`
connects and writes "hello". Look at the waiting group: the reader parks in `IO wait` on the line
of `c.Read`, and `main` parks in `IO wait` too while the connection is set up. There is no
`syscall` mark on them while they wait: the short system calls you see are the non-blocking tries."""),
        ('example', """package main

import (
    "fmt"
    "net"
)

func main() {
    ln, err := net.Listen("tcp", "127.0.0.1:0")
    if err != nil {
        panic(err)
    }
    done := make(chan string)
    go func() {
        c, _ := ln.Accept()
        buf := make([]byte, 5)
        n, _ := c.Read(buf)
        done <- string(buf[:n])
    }()
    c, err := net.Dial("tcp", ln.Addr().String())
    if err != nil {
        panic(err)
    }
    c.Write([]byte("hello"))
    fmt.Println(<-done)
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('io-wait', 'A goroutine parked in IO wait in main.go', ev('g.waiting', reason='IO wait', file='main.go')),
        ]}),
        ('md', """## Exercise 9: ten sleepers, no threads

The program below sleeps ten times for 20 ms, one sleep after the other, all in `main`: 200 ms in
total, and only one goroutine is ever waiting.

Make the ten sleeps happen **at the same time**, each in its own goroutine, and wait for all of
them. The checkpoint wants to see ten goroutines parked in `sleep` at once. Notice in the picture
that they need no M while they wait."""),
        ('exercise', """package main

import (
    "fmt"
    "time"
)

func nap(i int) {
    time.Sleep(20 * time.Millisecond)
}

func main() {
    start := time.Now()
    for i := 0; i < 10; i++ {
        nap(i)
    }
    fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
""", """package main

import (
    "fmt"
    "sync"
    "time"
)

func nap(i int, wg *sync.WaitGroup) {
    defer wg.Done()
    time.Sleep(20 * time.Millisecond)
}

func main() {
    start := time.Now()
    var wg sync.WaitGroup
    for i := 0; i < 10; i++ {
        wg.Add(1)
        go nap(i, &wg)
    }
    wg.Wait()
    fmt.Println("slept for", time.Since(start).Round(10*time.Millisecond))
}
""", {'gomaxprocs': 1, 'checkpoints': [
            cp('ten-asleep', 'Ten goroutines were asleep at the same time', state({'name': 'waiting', 'reason': 'sleep'}, '>=', 10),
               'Start nap with go, once per loop turn, and wait for all of them with a sync.WaitGroup.'),
        ]}),
        ('md', """## Summary

- Network reads and writes that would block **park** the goroutine in `IO wait`; the **network
  poller** wakes it when the socket is ready.
- `time.Sleep` parks the goroutine in `sleep`; the P's **timers** wake it.
- Parked goroutines need no thread, so a Go program can wait on thousands of things at once.

Next: [Lesson 10](10-preemption.ipynb): what if a goroutine never waits at all?"""),
    ],
}

# --------------------------------------------------------------------------------------------
SPIN2 = """package main

import (
    "fmt"
    "sync"
)

func spin(name string, wg *sync.WaitGroup) {
    defer wg.Done()
    x := 0
    for i := 0; i < 100000000; i++ {
        x += i
    }
    fmt.Println(name, "done", x > 0)
}

func main() {
    var wg sync.WaitGroup
    wg.Add(2)
    go spin("a", &wg)
    go spin("b", &wg)
    wg.Wait()
}
"""
SPIN2_YIELD = SPIN2.replace('''import (
    "fmt"
    "sync"
)''', '''import (
    "fmt"
    "runtime"
    "sync"
)''').replace('''        x += i
''', '''        x += i
        if i%1000000 == 0 {
            runtime.Gosched() // let the other goroutine run
        }
''')
L10 = {
    'name': '10-preemption',
    'title': 'Preemption',
    'blurb': 'how the runtime stops a goroutine that never waits: cooperative and asynchronous preemption, and sysmon.',
    'cells': [
        ('md', """# Lesson 10: Preemption

A goroutine that only computes never parks. With one P, could it keep the P forever? No: the
runtime **preempts** it, that is, stops it and puts it back in a queue so others get a turn.

- **sysmon**, the watching thread from lesson 8, notices a goroutine that has run for more than
  **10 ms** on the same P and asks it to stop.
- **Cooperative** preemption: the goroutine checks a flag at function calls, or gives way
  itself by calling `runtime.Gosched()` (event reason `yield`).
- **Asynchronous** preemption (since Go 1.14): for a tight loop with no function calls, sysmon
  sends the thread a signal, and the goroutine stops wherever it is (event reason `preempt`).
  `GODEBUG=asyncpreemptoff=1` turns this off.

A preempted or yielding goroutine goes to the **global** run queue, behind everyone else."""),
        ('md', """## Worked example: two goroutines that never wait

`a` and `b` each add up 100 million numbers, with one P. Run it and look at the P box: it
alternates between `a` and `b` about every 10 ms. Jump to each `g.runnable` event: the reason is
`preempt` and the queue is `global`."""),
        ('example', SPIN2, {'gomaxprocs': 1, 'checkpoints': [
            cp('preempted', 'A spin goroutine was preempted',
               seq(('g.create', {'fn': 'main.spin', 'goid': V('g')}), ('g.runnable', {'goid': V('g'), 'reason': 'preempt', 'queue': 'global'}))),
            cp('turns', 'Both goroutines had several turns', {'type': 'all', 'of': [
                {'type': 'goroutine', 'createdAt': {'line': 20, 'file': 'main.go'}, 'metric': 'runs', 'op': '>=', 'value': 2},
                {'type': 'goroutine', 'createdAt': {'line': 21, 'file': 'main.go'}, 'metric': 'runs', 'op': '>=', 'value': 2}]}),
        ]}),
        ('md', """## Exercise 10: be polite

Change `spin` so that it **gives way on its own**: call `runtime.Gosched()` now and then (say
every million turns of the loop). The checkpoint wants to see the goroutines yield. Compare the
picture with the example: the turns are now much shorter."""),
        ('exercise', SPIN2, SPIN2_YIELD, {'gomaxprocs': 1, 'checkpoints': [
            cp('yields', 'Goroutines yielded at least 10 times', ev('g.runnable', min=10, reason='yield'),
               'Import "runtime" and call runtime.Gosched() inside the loop, for example when i%1000000 == 0.'),
            cp('yield-reason', 'Its g.runnable events say "yield"',
               seq(('g.create', {'fn': 'main.spin', 'goid': V('g')}), ('g.runnable', {'goid': V('g'), 'reason': 'yield'})),
               'Import "runtime" and call runtime.Gosched() inside the loop, for example when i%1000000 == 0.'),
        ]}),
        ('md', """## Summary

- The runtime does not let one goroutine keep a P forever.
- **sysmon** notices goroutines that ran for over 10 ms.
- **Cooperative** preemption happens at safe points or with `runtime.Gosched()` (`yield`);
  **asynchronous** preemption uses a signal and can stop even a tight loop (`preempt`).
- A preempted goroutine goes to the back: the global run queue.

Next: [Lesson 11](11-gc-and-stop-the-world.ipynb): the garbage collector."""),
    ],
}

# --------------------------------------------------------------------------------------------
GC_ORDER = seq(('stw', {'begin': True, 'reason': 'GC sweep termination'}), ('gc', {'phase': 'mark'}),
               ('stw', {'begin': True, 'reason': 'GC mark termination'}), ('gc', {'phase': 'marktermination'}),
               ('gc', {'phase': 'off'}))
L11 = {
    'name': '11-gc-and-stop-the-world',
    'title': 'Garbage collection and stop-the-world',
    'blurb': 'the phases of a GC cycle and the two short moments when every goroutine stops.',
    'cells': [
        ('md', """# Lesson 11: Garbage collection and stop-the-world

Go frees memory that nothing points to any more: that is the **garbage collector** (GC). It runs
mostly **at the same time** as your goroutines, but it has to stop them all twice, for a short
moment. Such a moment is a **stop-the-world** (STW): every P stops running user goroutines.

One GC cycle goes through these phases (`gc` events):

1. **sweep termination** (`sweepterm`), inside a first stop-the-world: finish the last cycle's work
   and switch on the write barrier;
2. **mark** (`mark`): the world runs again; GC workers (goroutines of the runtime) find everything
   that is still in use, while your goroutines keep going and help a little when they allocate;
3. **mark termination** (`marktermination`), inside a second stop-the-world;
4. **off** (`off`): sweeping the unused memory happens lazily afterwards.

The picture shows a banner while the world is stopped, and the GC phase. A GC starts when the heap
has grown by `GOGC` percent (100 by default) since the last one, or when you call `runtime.GC()`."""),
        ('md', """## Worked example: runtime.GC()

`main` allocates 10 MB that it keeps and then asks for a collection. Jump from one `stw` event
to the next: first the sweep termination stop, then the mark phase (look for the GC worker
goroutines running on the Ps), then the mark termination stop, then `off`."""),
        ('example', """package main

import (
    "fmt"
    "runtime"
)

func main() {
    var keep [][]byte
    for i := 0; i < 10; i++ {
        keep = append(keep, make([]byte, 1<<20))
    }
    runtime.GC()
    fmt.Println("kept", len(keep), "MB")
}
""", {'gomaxprocs': 2, 'checkpoints': [
            cp('phases', 'A GC cycle went through its phases in order', GC_ORDER),
            cp('two-stops', 'The world was stopped at least twice', ev('stw', min=2, begin=True)),
        ]}),
        ('md', """## Exercise 11: make garbage

The program below allocates only a little memory, so no GC ever starts.

**Without calling `runtime.GC()`**, make the runtime start a collection on its own: allocate
plenty of memory in a loop and let it become garbage (for example, keep only the last buffer)."""),
        ('exercise', """package main

import "fmt"

var last []byte

func main() {
    for i := 0; i < 10; i++ {
        last = make([]byte, 1024)
    }
    fmt.Println("last buffer has", len(last), "bytes")
}
""", """package main

import "fmt"

var last []byte

func main() {
    for i := 0; i < 200; i++ {
        last = make([]byte, 1<<20)
    }
    fmt.Println("last buffer has", len(last), "bytes")
}
""", {'gomaxprocs': 2, 'checkpoints': [
            cp('gc-ran', 'A GC cycle ran through its phases in order', GC_ORDER,
               'The first GC starts when the heap reaches about 4 MB. Allocate many buffers of 1 MB (1<<20 bytes).'),
        ]}),
        ('md', """## Summary

- The GC runs mostly alongside your goroutines, with GC worker goroutines on the Ps.
- It **stops the world** twice per cycle, briefly: at sweep termination and at mark termination.
- A cycle starts when the heap grows by `GOGC` percent, or on `runtime.GC()`.
- Less garbage means fewer cycles.

Next: [Lesson 12](12-gomaxprocs-and-parallelism.ipynb): how many goroutines really run at once."""),
    ],
}

# --------------------------------------------------------------------------------------------
PAR_SOLO = """package main

import "fmt"

var sink [4]int

func count(i int) {
    for j := 0; j < 30000000; j++ {
        sink[i] += j
    }
}

func main() {
    for i := 0; i < 4; i++ {
        count(i)
    }
    fmt.Println("done", sink[0] > 0)
}
"""
PAR_GO = """package main

import (
    "fmt"
    "sync"
)

var sink [4]int

func count(i int, wg *sync.WaitGroup) {
    defer wg.Done()
    for j := 0; j < 30000000; j++ {
        sink[i] += j
    }
}

func main() {
    var wg sync.WaitGroup
    for i := 0; i < 4; i++ {
        wg.Add(1)
        go count(i, &wg)
    }
    wg.Wait()
    fmt.Println("done", sink[0] > 0)
}
"""
L12 = {
    'name': '12-gomaxprocs-and-parallelism',
    'title': 'GOMAXPROCS and parallelism',
    'blurb': 'concurrency is not parallelism: GOMAXPROCS Ps run goroutines at the same time.',
    'cells': [
        ('md', """# Lesson 12: GOMAXPROCS and parallelism

**Concurrency** is having many goroutines in progress. **Parallelism** is running several of them
at the very same instant, on different CPU cores. In Go, the number of Ps, `GOMAXPROCS`, is the
limit: at most `GOMAXPROCS` goroutines run Go code at once. There can be many more Ms (threads
in system calls, for example), but only Ms that hold a P run Go code.

By default `GOMAXPROCS` is the number of CPUs the program may use (from Go 1.25 it also follows
the container's CPU limit). A cell can set it with `gomaxprocs` in its metadata, and a program can
change it with `runtime.GOMAXPROCS(n)`.

In the picture, count the P boxes that show a running G at the same moment."""),
        ('md', """## Worked example: the same work with 1 and with 2 Ps

Four goroutines each count to 30 million. The first cell uses `GOMAXPROCS=2`: step through and
you will see both Ps running a `count` goroutine at once. The second cell is the same program with
`GOMAXPROCS=1`: the four goroutines are just as concurrent, but never parallel; the P takes turns
(at each preemption, lesson 10). Compare how long each run takes on the timeline."""),
        ('example', PAR_GO, {'gomaxprocs': 2, 'checkpoints': [
            cp('parallel', 'Two Ps ran goroutines at the same time', state({'name': 'runningPs'}, '>=', 2)),
        ]}),
        ('example', PAR_GO, {'gomaxprocs': 1, 'checkpoints': [
            cp('one-at-a-time', 'Never more than one P running', state({'name': 'runningPs'}, '<=', 1, when='always')),
        ]}),
        ('md', """## Exercise 12: use both Ps

This program does the four counts one after the other in `main`, so only one P is ever busy with
them, even though there are two.

Make the four counts run in parallel. The checkpoint wants to see two `count` goroutines running
on both Ps. Then step through the picture and find a moment when both P boxes run a `count`
goroutine. (A check on "two Ps busy at once" alone would not do: the runtime's own goroutines
sometimes run on the second P for a moment, even in the program below.)"""),
        ('exercise', PAR_SOLO, PAR_GO, {'gomaxprocs': 2, 'checkpoints': [
            cp('parallel-count', 'count goroutines ran on both Ps',
               ANY(seq(('g.create', {'fn': 'main.count', 'goid': V('a')}), ('g.running', {'goid': V('a'), 'p': 0}),
                       ('g.create', {'fn': 'main.count', 'goid': V('b')}), ('g.running', {'goid': V('b'), 'p': 1})),
                   seq(('g.create', {'fn': 'main.count', 'goid': V('a')}), ('g.create', {'fn': 'main.count', 'goid': V('b')}),
                       ('g.running', {'goid': V('a'), 'p': 0}), ('g.running', {'goid': V('b'), 'p': 1})),
                   seq(('g.create', {'fn': 'main.count', 'goid': V('a')}), ('g.create', {'fn': 'main.count', 'goid': V('b')}),
                       ('g.running', {'goid': V('a'), 'p': 1}), ('g.running', {'goid': V('b'), 'p': 0}))),
               'Start count with go in the loop, and wait with a sync.WaitGroup.'),
        ]}),
        ('md', """## Summary

- `GOMAXPROCS` Ps means at most that many goroutines run Go code at once.
- More goroutines than Ps is fine: they take turns (concurrency). More Ps than CPU cores does not
  make anything faster.
- Parallelism needs several runnable goroutines **and** several Ps: one goroutine uses one P.

That is the end of the course. Go back to the [index](00-index.ipynb) to review any lesson."""),
    ],
}

LESSONS = [L01, L02, L03, L04, L05, L06, L07, L08, L09, L10, L11, L12]
