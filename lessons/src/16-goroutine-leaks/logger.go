package main

import (
	"fmt"
	"time"
)

// logs is a package variable: any function of the program could still send on it.
var logs = make(chan string)

// logger prints every line sent on logs, for as long as the program runs.
func logger() {
	for line := range logs {
		fmt.Println("log:", line)
	}
}

// first asks every mirror at once and returns the first answer.
func first(mirrors []string) string {
	answers := make(chan string)
	for _, m := range mirrors {
		go func() {
			answers <- "page from " + m
		}()
	}
	return <-answers
}

func main() {
	go logger()
	fmt.Println("got:", first([]string{"a", "b", "c"}))
	time.Sleep(10 * time.Millisecond)
}
