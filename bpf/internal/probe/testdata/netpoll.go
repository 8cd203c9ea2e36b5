// Goroutines that wait for the network (TCP connections on loopback):
// netpoll finds them ready at once; the scheduler runs one and injectglist
// makes the others runnable.
package main

import (
	"net"
	"time"
)

func serve(ln net.Listener, done chan<- byte) {
	c, err := ln.Accept()
	if err != nil {
		panic(err)
	}
	buf := make([]byte, 1)
	if _, err := c.Read(buf); err != nil { // line 17: parks on "IO wait"
		panic(err)
	}
	done <- buf[0]
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	const n = 3
	done := make(chan byte)
	var conns []net.Conn
	for i := 0; i < n; i++ {
		go serve(ln, done)
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(20 * time.Millisecond) // the servers are parked in Read by now
	for _, c := range conns {
		if _, err := c.Write([]byte{42}); err != nil {
			panic(err)
		}
	}
	for i := 0; i < n; i++ {
		<-done
	}
}
