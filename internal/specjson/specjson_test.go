package specjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// canonical is how encoding/json writes a spec: the yardstick both
// decoders are held to.
func canonical(t testing.TB, s *specs.Spec) []byte {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fill sets every field reachable from v to a random value (or leaves it
// zero), so that every generated branch is exercised.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Ptr:
		if depth > 8 || r.Intn(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if depth > 8 || r.Intn(3) == 0 {
			return
		}
		n := 1 + r.Intn(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := 0; i < n; i++ {
			fill(r, v.Index(i), depth+1)
		}
	case reflect.Map:
		if r.Intn(3) == 0 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for i := 0; i < 1+r.Intn(3); i++ {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			fill(r, k, depth+1)
			fill(r, e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		v.SetString([]string{"", "x", "/a/b", "é\"\\\n<&>", "\u2028"}[r.Intn(5)])
	case reflect.Bool:
		v.SetBool(r.Intn(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		v.SetInt(r.Int63() >> (64 - bits) * int64(1-2*r.Intn(2)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64() >> (64 - v.Type().Bits()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(r.Intn(1000)) / 8)
	}
}

// TestMatchesEncodingJSON: random specs, written by encoding/json and by
// us, decode to the same spec with both decoders.
func TestMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		var s specs.Spec
		fill(r, reflect.ValueOf(&s).Elem(), 0)
		want := canonical(t, &s)

		ours, err := Marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		var back specs.Spec
		if err := json.Unmarshal(ours, &back); err != nil {
			t.Fatalf("encoding/json cannot read our output: %v\n%s", err, ours)
		}
		if got := canonical(t, &back); !bytes.Equal(got, want) {
			t.Fatalf("our encoding lost something:\n got %s\nwant %s", got, want)
		}

		var dec specs.Spec
		if !generated(want, &dec, (*Spec)(&dec).UnmarshalJSON) {
			t.Fatalf("generated decoder refused encoding/json's output:\n%s", want)
		}
		if got := canonical(t, &dec); !bytes.Equal(got, want) {
			t.Fatalf("decoders differ:\n got %s\nwant %s", got, want)
		}
	}
}

// TestRealConfigs: the configs berth is tested and benchmarked with.
func TestRealConfigs(t *testing.T) {
	paths, _ := filepath.Glob("../../tests/integration/*/config.json")
	paths = append(paths, "testdata/berth-spec.json")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue // the bundle is built by make bundle
		}
		if err != nil {
			t.Fatal(err)
		}
		var ref, s specs.Spec
		if err := json.Unmarshal(data, &ref); err != nil {
			t.Fatal(err)
		}
		if !generated(data, &s, (*Spec)(&s).UnmarshalJSON) {
			t.Fatalf("%s: refused", p)
		}
		if !bytes.Equal(canonical(t, &s), canonical(t, &ref)) {
			t.Fatalf("%s: decoded differently", p)
		}
	}
}

// TestFallsBack: what encoding/json reads leniently or refuses, the
// generated decoder refuses, and leaves a zero spec for the fallback.
func TestFallsBack(t *testing.T) {
	for _, in := range []string{
		`{"OCIVERSION": "1.0.0"}`,       // keys match any case in encoding/json
		`{"ociVersion": "1", "new": 1}`, // a field newer than our runtime-spec
		`{"process": {"user": {"uid": "0"}}}`,
		`{"process": {"user": {"uid": -1}}}`,
		`{"process": {"user": {"uid": 4294967296}}}`,
		`{"process": {"user": {"uid": 1.5}}}`,
		`{"ociVersion": "1"} x`,
		`{"ociVersion": "1"`,
		`[]`,
		`null`,
		``,
		// numbers easyjson's lexer hands to strconv, which JSON refuses
		`{"process": {"user": {"uid": 00}}}`,
		`{"process": {"user": {"uid": 01}}}`,
		`{"process": {"user": {"uid": +1}}}`,
		`{"linux": {"resources": {"cpu": {"shares": .5}}}}`,
		`{"linux": {"resources": {"memory": {"limit": 1.}}}}`,
		`{"linux": {"resources": {"memory": {"limit": -}}}}`,
		"{\"hostname\": \"a\x01b\"}",
		"{\"hostname\": \"\xff\"}",
	} {
		var s specs.Spec
		if generated([]byte(in), &s, (*Spec)(&s).UnmarshalJSON) {
			t.Errorf("%s: accepted", in)
		}
		if !reflect.DeepEqual(s, specs.Spec{}) {
			t.Errorf("%s: spec not zeroed", in)
		}
		// Decode then gives encoding/json's answer, error and all.
		var got, want specs.Spec
		gotErr, wantErr := Decode([]byte(in), &got), json.Unmarshal([]byte(in), &want)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Decode = %v, encoding/json = %v", in, gotErr, wantErr)
		}
	}
}

// FuzzAgreesWithEncodingJSON: whatever the generated decoder accepts,
// encoding/json accepts too and decodes the same.
func FuzzAgreesWithEncodingJSON(f *testing.F) {
	f.Add([]byte(`{"ociVersion":"1.0.2","process":{"args":["sh"],"user":{"uid":1}},"linux":{"namespaces":[{"type":"pid"}]}}`))
	f.Add([]byte(`{"mounts":[{"destination":"/proc","type":"proc","options":["nosuid"]}],"annotations":{"a":"b"}}`))
	f.Add([]byte(`{"linux":{"resources":{"memory":{"limit":-1},"devices":[{"allow":false,"access":"rwm"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s specs.Spec
		if !generated(data, &s, (*Spec)(&s).UnmarshalJSON) {
			return
		}
		var ref specs.Spec
		if err := json.Unmarshal(data, &ref); err != nil {
			t.Fatalf("generated decoder accepted what encoding/json refuses (%v): %q", err, data)
		}
		if got, want := canonical(t, &s), canonical(t, &ref); !bytes.Equal(got, want) {
			t.Fatalf("decoded differently from %q:\n got %s\nwant %s", data, got, want)
		}
	})
}

// TestProcess: exec --process files take the same path.
func TestProcess(t *testing.T) {
	data := []byte(`{"terminal":true,"user":{"uid":1,"gid":2,"additionalGids":[3]},"args":["sh","-c","x"],` +
		`"env":["A=b"],"cwd":"/","capabilities":{"bounding":["CAP_KILL"]},"rlimits":[{"type":"RLIMIT_NOFILE","hard":5,"soft":4}],` +
		`"noNewPrivileges":true,"oomScoreAdj":-5,"ioPriority":{"class":"IOPRIO_CLASS_RT","priority":1}}`)
	var ref, p specs.Process
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if !generated(data, &p, (*Process)(&p).UnmarshalJSON) {
		t.Fatal("refused")
	}
	if !reflect.DeepEqual(p, ref) {
		t.Fatalf("got %+v\nwant %+v", p, ref)
	}
	var viaDecode specs.Process
	if err := DecodeProcess(data, &viaDecode); err != nil || !reflect.DeepEqual(viaDecode, ref) {
		t.Fatalf("DecodeProcess = %+v, %v", viaDecode, err)
	}
	if generated([]byte(`{"Terminal":true}`), &p, (*Process)(&p).UnmarshalJSON) || !reflect.DeepEqual(p, specs.Process{}) {
		t.Fatal("a key in another case was taken, or p not zeroed")
	}
}
