// A list and a tree kept from package variables, and a list nobody keeps:
// the collector marks what it reaches from the roots and frees the rest.
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next *node
	val  int
}

type tree struct {
	left, right *tree
	val         int
}

var list *node
var root *tree

func buildList(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i}
	}
	return head
}

func buildTree(depth int) *tree {
	if depth == 0 {
		return nil
	}
	return &tree{left: buildTree(depth - 1), right: buildTree(depth - 1), val: depth}
}

// makeGarbage builds a list and lets it go: only its length comes back.
func makeGarbage(n int) int {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i}
	}
	return head.val + 1
}

func main() {
	list = buildList(200)
	root = buildTree(6)
	fmt.Println("garbage list of", makeGarbage(100), "nodes")
	runtime.GC()
	runtime.GC()
	fmt.Println("kept a list of", list.val+1, "nodes and a tree of depth", root.val)
}
