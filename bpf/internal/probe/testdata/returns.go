// Run with GOMAXPROCS=2: every way out of the runtime functions whose
// returns are probed at emulated sites (exitsyscall, injectglist, stopm),
// many times each, and overflows (runqputslow).
package main

import (
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
)

var sink []byte

// syscalls makes short system calls (exitsyscall's fast path) and, while
// two spinners hold both Ps, blocking ones that lose their P (its slow path).
func syscalls() {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	defer null.Close()
	buf := []byte("x")
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if _, err := null.Write(buf); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
	stop := make(chan struct{})
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		ts := syscall.Timespec{Nsec: 25_000_000}
		syscall.Nanosleep(&ts, nil)
	}
	close(stop)
	wg.Wait()
}

// overflow makes many goroutines at once, more than a P's queue holds
// (runqputslow), on one P so that no other steals them first.
func overflow() {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var wg sync.WaitGroup
	for round := 0; round < 4; round++ {
		for i := 0; i < 600; i++ {
			wg.Add(1)
			go wg.Done()
		}
		wg.Wait()
	}
}

// network wakes goroutines waiting on loopback connections (injectglist from netpoll).
func network() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	var conns []net.Conn
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ln.Accept()
			if err != nil {
				panic(err)
			}
			defer c.Close()
			buf := make([]byte, 1)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		conns = append(conns, c)
	}
	buf := make([]byte, 1)
	for round := 0; round < 50; round++ {
		for _, c := range conns {
			if _, err := c.Write([]byte{byte(round)}); err != nil {
				panic(err)
			}
		}
		for _, c := range conns {
			if _, err := c.Read(buf); err != nil {
				panic(err)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
}

// idle lets Ms run out of work, sleep and be woken (stopm).
func idle() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			time.Sleep(100 * time.Microsecond)
			pong <- v
		}
		close(pong)
	}()
	for i := 0; i < 200; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
}

// collect runs the collector, forced and by allocation: each start of the
// world polls the network (injectglist).
func collect() {
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
	for i := 0; i < 2000; i++ {
		sink = make([]byte, 64<<10)
	}
}

func main() {
	syscalls()
	overflow()
	network()
	idle()
	collect()
}
