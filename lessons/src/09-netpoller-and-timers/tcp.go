package main

import (
	"fmt"
	"net"
	"time"
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
	time.Sleep(10 * time.Millisecond) // the reader gets to its Read first, and waits there
	c.Write([]byte("hello"))
	fmt.Println(<-done)
}
