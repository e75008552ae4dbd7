package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Field is one setting of a Settings, by the name the config file gives it
// (snake_case of the Go field: ReadOnly is read_only).
type Field struct {
	Name   string
	Value  any
	Source Source
	// Tracked is false for a field that is not a Setting[T] and so carries
	// no Source: its value is shown, its origin is not known.
	Tracked bool
}

// Fields lists every setting in s in declaration order, by reflection, so
// that a setting added to Settings is listed (by 'qmpdash config') without
// another edit. File, the name of the file read, is not a setting.
func (s Settings) Fields() []Field {
	rv := reflect.ValueOf(s)
	rt := rv.Type()
	var out []Field
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() || f.Name == "File" {
			continue
		}
		fv := rv.Field(i)
		if v, src, ok := settingParts(fv); ok {
			out = append(out, Field{Name: snakeCase(f.Name), Value: v, Source: src, Tracked: true})
			continue
		}
		out = append(out, Field{Name: snakeCase(f.Name), Value: fv.Interface()})
	}
	return out
}

// settingParts takes a Setting[T] apart; ok is false for any other type.
func settingParts(v reflect.Value) (value any, src Source, ok bool) {
	t := v.Type()
	if t.Kind() != reflect.Struct || t.NumField() != 2 || t.Field(0).Name != "Value" || t.Field(1).Type != reflect.TypeFor[Source]() {
		return nil, Unset, false
	}
	return v.Field(0).Interface(), Source(v.Field(1).Uint()), true
}

// snakeCase is ReadOnly -> read_only, LogFile -> log_file, SSHHost -> ssh_host.
func snakeCase(name string) string {
	var b strings.Builder
	r := []rune(name)
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// FormatValue spells a setting's value as the config file would: TOML
// (durations as strings such as "1s", lists in brackets, tables inline).
// Any type gets a spelling, so a new setting needs no case of its own.
func FormatValue(v any) string {
	if v == nil {
		return `""`
	}
	return formatValue(reflect.ValueOf(v))
}

func formatValue(v reflect.Value) string {
	if d, ok := v.Interface().(time.Duration); ok {
		return strconv.Quote(shortDuration(d))
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return fmt.Sprint(v.Interface())
	case reflect.Slice, reflect.Array:
		items := make([]string, v.Len())
		for i := range items {
			items[i] = formatValue(v.Index(i))
		}
		return "[" + strings.Join(items, ", ") + "]"
	case reflect.Map:
		var items []string
		for _, k := range v.MapKeys() {
			items = append(items, tomlKey(fmt.Sprint(k.Interface()))+" = "+formatValue(v.MapIndex(k)))
		}
		slices.Sort(items)
		return inlineTable(items)
	case reflect.Struct:
		var items []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				items = append(items, snakeCase(f.Name)+" = "+formatValue(v.Field(i)))
			}
		}
		return inlineTable(items)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return `""`
		}
		return formatValue(v.Elem())
	}
	return strconv.Quote(fmt.Sprint(v.Interface()))
}

func inlineTable(items []string) string {
	if len(items) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(items, ", ") + " }"
}

// tomlKey is k bare when TOML allows, else quoted.
func tomlKey(k string) string {
	if k != "" && strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0 {
		return k
	}
	return strconv.Quote(k)
}
