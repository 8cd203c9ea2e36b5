// Right: a slice appended to again and again, each growth leaving the old array as garbage, restarted every 1 MB.
package main

import "fmt"

var last []int

func main() {
	for round := 0; round < 50; round++ {
		var s []int
		for i := 0; i < 1<<17; i++ {
			s = append(s, i)
		}
		last = s
	}
	fmt.Println("last slice has", len(last), "ints")
}
