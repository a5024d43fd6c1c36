package elblog

import (
	"reflect"
	"testing"
	"time"
)

// ts parses an RFC 3339 time with the standard library, independently of parseTime.
// A time without zone (the NLB form) is read as UTC.
func ts(t testing.TB, s string) time.Time {
	t.Helper()
	layout := time.RFC3339Nano
	if len(s) == 19 {
		layout = "2006-01-02T15:04:05"
	}
	v, err := time.Parse(layout, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v.UTC()
}

func vi(n int64) Int     { return Int{Value: n, Valid: true} }
func vf(f float64) Float { return Float{Value: f, Valid: true} }

func ad(ip string, port int) Addr { return Addr{IP: ip, Port: port} }

func ls(raw string, sep byte) List { return List{raw: raw, sep: sep} }

// assertRecord compares got with want field by field, ignoring Fields, and reports
// each field that differs.
func assertRecord(t *testing.T, got, want any) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if gv.Type() != wv.Type() {
		t.Fatalf("got a %v, want a %v", gv.Type(), wv.Type())
	}
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		if name == "Fields" {
			continue
		}
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if gt, ok := g.(time.Time); ok {
			if wt := w.(time.Time); !gt.Equal(wt) || gt.IsZero() != wt.IsZero() {
				t.Errorf("%s = %v, want %v", name, gt, wt)
			}
			continue
		}
		if gl, ok := g.([]string); ok && len(gl) == 0 {
			if wl := w.([]string); len(wl) != 0 {
				t.Errorf("%s = %q, want %q", name, gl, wl)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s = %#v, want %#v", name, g, w)
		}
	}
}
