//! Every command's examples, and the commands' behaviour and errors, in-process.

mod common;

use common::{device, error_text, eval, plugin_test};
use nu_plugin::Plugin;
use nu_protocol::Value;

#[test]
fn every_example_gives_its_result() {
    let (plugin, mut test) = plugin_test();
    // Examples that write files (the plots) write them into a temporary current directory,
    // not into the source tree.
    let cwd = tempfile::tempdir().expect("temp dir");
    test.engine_state_mut().add_env_var("PWD".into(), Value::test_string(cwd.path().to_string_lossy()));
    // Every command is tried, so that one run names every failing example.
    let failed: Vec<String> = plugin
        .commands()
        .iter()
        .filter(|command| test.test_examples(&command.examples()).is_err())
        .map(|command| command.name().to_string())
        .collect();
    assert!(failed.is_empty(), "examples failed (details above) for: {}", failed.join(", "));
    for png in ["blobs.png", "loss.png", "loss.svg", "acc.png", "boundary.png", "confusion.png", "confusion.svg"] {
        assert!(cwd.path().join(png).is_file(), "the plot examples wrote no {png}");
    }
}

#[test]
fn seed_session_on_the_test_device() {
    let (_, mut test) = plugin_test();
    let d = device();
    let v = eval(
        &mut test,
        &format!("nutorch linspace 0.0 1.57 4 --device {d} | nutorch repeat 2 | nutorch sin | nutorch tovalue"),
    )
    .unwrap();
    let rows = v.as_list().unwrap();
    assert_eq!(rows.len(), 8);
    // torch.linspace(0.0, 1.57, 4).repeat(2).sin().tolist()[3] (float32)
    assert_eq!(rows[3].as_float().unwrap(), 0.9999997019767761);
}

#[test]
fn the_tensor_comes_from_the_pipeline_as_a_value_or_an_id_string() {
    let (_, mut test) = plugin_test();
    let piped = eval(&mut test, "nutorch fromvalue [1 2] | nutorch repeat 2 | nutorch tovalue").unwrap();
    let piped_id =
        eval(&mut test, "let t = (nutorch fromvalue [1 2]); $t.id | nutorch repeat 2 | nutorch tovalue").unwrap();
    let ids_are_strings = eval(&mut test, "let t = (nutorch fromvalue [1 2]); ($t.id | describe) == string").unwrap();
    assert_eq!(ids_are_strings, Value::test_bool(true));
    assert_eq!(piped, Value::test_list([1, 2, 1, 2].into_iter().map(Value::test_int).collect()));
    assert_eq!(piped, piped_id);
    // The tensor is not a positional: `repeat`'s positionals are sizes. (A value Nushell knows
    // to be a tensor is refused by the parser; one of unknown type reaches the command.)
    let text = error_text(eval(&mut test, "let t = (nutorch fromvalue [1 2]); nutorch repeat $t 2"));
    assert!(text.contains("nu::parser::") || text.contains("pipe the input tensor in"), "{text}");
}

#[test]
fn tovalue_reads_every_rank_and_dtype() {
    let (_, mut test) = plugin_test();
    let d = device();
    assert_eq!(
        eval(&mut test, &format!("nutorch fromvalue 2.5 --dtype float64 --device {d} | nutorch tovalue")).unwrap(),
        Value::test_float(2.5)
    );
    assert_eq!(
        eval(&mut test, &format!("nutorch fromvalue [true false] --device {d} | nutorch tovalue")).unwrap(),
        Value::test_list(vec![Value::test_bool(true), Value::test_bool(false)])
    );
    assert_eq!(
        eval(&mut test, &format!("nutorch fromvalue [[[1]] [[2]]] --dtype int8 --device {d} | nutorch tovalue"))
            .unwrap(),
        Value::test_list(vec![
            Value::test_list(vec![Value::test_list(vec![Value::test_int(1)])]),
            Value::test_list(vec![Value::test_list(vec![Value::test_int(2)])])
        ])
    );
    // torch.tensor([1.0, 3.14159], dtype=torch.bfloat16).tolist() == [1.0, 3.140625]
    assert_eq!(
        eval(&mut test, &format!("nutorch fromvalue [1.0 3.14159] --dtype bfloat16 --device {d} | nutorch tovalue"))
            .unwrap(),
        Value::test_list(vec![Value::test_float(1.0), Value::test_float(3.140625)])
    );
}

#[test]
fn user_mistakes_are_labelled_errors() {
    let (_, mut test) = plugin_test();
    let cases = [
        ("nutorch linspace 0 1 3 --dtype float128", "unknown dtype 'float128'"),
        ("nutorch linspace 0 1 3 --device gpu", "expected cpu, cuda, cuda:N or mps"),
        ("nutorch linspace 0 1 3 --device cuda:x", "expected cpu, cuda, cuda:N or mps"),
        ("nutorch linspace 0 1 3 --device cuda:7", "cuda:7 requested"),
        ("nutorch linspace 0 1 -1", "non-negative"),
        ("nutorch linspace 0 1 3 --dtype bool", "bool"),
        ("nutorch linspace 0 1 3 --dtype int64 --requires-grad", "floating point"),
        ("nutorch fromvalue [1 2] | nutorch repeat 2 -1", "non-negative"),
        ("nutorch fromvalue [[1 2]] | nutorch repeat 2", "at least one size per dimension"),
        ("nutorch fromvalue [[1 2] [3]]", "ragged list at [1]"),
        ("nutorch fromvalue [1 'a']", "at [1]"),
        ("nutorch tovalue 'no-such-id'", "no tensor with id 'no-such-id'"),
        ("nutorch sin", "pipe the input tensor in: `$x | nutorch sin`"),
    ];
    for (source, expected) in cases {
        let text = error_text(eval(&mut test, source));
        assert!(text.contains(expected), "{source}: {text}");
    }
}

#[test]
fn sparse_tensors_are_refused_clearly() {
    let (_, mut test) = plugin_test();
    let d = device();
    let made = error_text(eval(&mut test, &format!("nutorch ones 2 2 --device {d} | nutorch to_sparse")));
    assert!(made.contains("sparse tensors are not supported"), "{made}");
    // An embedding with sparse=True has a sparse gradient in PyTorch; reading it is refused.
    let grad = error_text(eval(
        &mut test,
        &format!(
            "let w = (nutorch ones 3 2 --device {d} --requires-grad); \
             nutorch fromvalue [0 2] --device {d} | nutorch embedding $w --sparse | nutorch sum | nutorch backward; $w.grad"
        ),
    ));
    assert!(grad.contains("sparse tensors are not supported"), "{grad}");
}

#[test]
fn errors_leave_earlier_tensors_intact() {
    let (_, mut test) = plugin_test();
    // The failed calls neither lose a tensor nor leave one behind: the store holds as many
    // tensors after them as before, and `a` still reads.
    let v = eval(
        &mut test,
        "let a = (nutorch fromvalue [1 2 3]); let before = (nutorch store).tensors; \
         try { nutorch linspace 0 1 -5 }; try { $a | nutorch repeat -1 }; \
         [((nutorch store).tensors - $before) ($a.id in (nutorch ls).id) ($a | nutorch tovalue)]",
    )
    .unwrap();
    let ints = |v: &[i64]| Value::test_list(v.iter().map(|&i| Value::test_int(i)).collect());
    assert_eq!(v, Value::test_list(vec![Value::test_int(0), Value::test_bool(true), ints(&[1, 2, 3])]));
}

#[test]
fn transposes_as_python_spells_them() {
    let (_, mut test) = plugin_test();
    let list = |dims: &[i64]| Value::test_list(dims.iter().map(|&d| Value::test_int(d)).collect());
    let mut shape = |source: &str| eval(&mut test, source).unwrap();
    let t = "let t = (nutorch zeros 2 3 4); ";
    assert_eq!(shape(&format!("{t}$t.T.shape")), list(&[4, 3, 2]));
    assert_eq!(shape(&format!("{t}$t.mT.shape")), list(&[2, 4, 3]));
    assert_eq!(shape(&format!("{t}$t.mH.shape")), list(&[2, 4, 3]));
    assert_eq!(
        shape("(nutorch fromvalue [[1 2] [3 4]]).T | nutorch tovalue"),
        Value::test_list(vec![list(&[1, 3]), list(&[2, 4])])
    );
    assert_eq!(shape("(nutorch zeros 2 3).H.shape"), list(&[3, 2]));
    let text = error_text(eval(&mut test, "(nutorch zeros 3).mT"));
    assert!(text.contains("only supported on matrices"), "{text}");
    let text = error_text(eval(&mut test, "(nutorch zeros 2 3 4).H"));
    assert!(text.contains("only supported on matrices (2-D tensors)"), "{text}");
}

#[test]
fn dim_and_bias_are_positional_as_in_pytorch() {
    let (_, mut test) = plugin_test();
    let t = "let t = (nutorch fromvalue [[1.0 2.0] [3.0 4.0]]); ";
    let mut run = |source: &str| eval(&mut test, &format!("{t}{source}")).unwrap();
    let floats = |v: &[f64]| Value::test_list(v.iter().map(|&x| Value::test_float(x)).collect());
    // x.sum(1), x.sum(dim=1), torch.sum(x, 1)
    assert_eq!(run("$t | nutorch sum 1 | nutorch tovalue"), floats(&[3.0, 7.0]));
    assert_eq!(run("$t | nutorch sum --dim 1 | nutorch tovalue"), floats(&[3.0, 7.0]));
    assert_eq!(run("$t | nutorch mean 0 | nutorch tovalue"), floats(&[2.0, 3.0]));
    assert_eq!(run("$t | nutorch argmax 1 | nutorch tovalue"), Value::test_list(vec![Value::test_int(1); 2]));
    assert_eq!(run("$t | nutorch sum [0 1] | nutorch item"), Value::test_float(10.0));
    assert_eq!(run("$t | nutorch softmax -1 | nutorch sum 1 | nutorch round | nutorch tovalue"), floats(&[1.0, 1.0]));
    assert_eq!(run("($t | nutorch topk 1 0).values | nutorch tovalue"), Value::test_list(vec![floats(&[3.0, 4.0])]));
    // F.linear(x, w, b): the bias positionally, as a flag, or absent.
    let lin = "let x = (nutorch fromvalue [[1.0 2.0]]); let w = (nutorch fromvalue [[1.0 1.0]]); let b = (nutorch fromvalue [0.5]); ";
    assert_eq!(
        run(&format!("{lin}$x | nutorch linear $w $b | nutorch tovalue")),
        Value::test_list(vec![floats(&[3.5])])
    );
    assert_eq!(
        run(&format!("{lin}$x | nutorch linear $w --bias $b | nutorch tovalue")),
        Value::test_list(vec![floats(&[3.5])])
    );
    assert_eq!(run(&format!("{lin}$x | nutorch linear $w | nutorch tovalue")), Value::test_list(vec![floats(&[3.0])]));
    let text = error_text(eval(&mut test, &format!("{t}$t | nutorch sum 1 --dim 0")));
    assert!(text.contains("given twice"), "{text}");
    // One more is Nushell's parse error (the signature has room for the dim only).
    let text = error_text(eval(&mut test, &format!("{t}$t | nutorch sum 1 2")));
    assert!(text.contains("nu::parser::extra_positional"), "{text}");
}

#[test]
fn memory_formats_give_pytorchs_strides() {
    let (_, mut test) = plugin_test();
    let strides = |test: &mut nu_plugin_test_support::PluginTest, source: &str| -> Vec<i64> {
        let v = eval(test, &format!("{source} | nutorch stride")).unwrap_or_else(|e| panic!("{source}: {e:?}"));
        v.as_list().unwrap().iter().map(|s| s.as_int().unwrap()).collect()
    };
    // The strides PyTorch gives for the same calls (torch 2.11):
    // torch.zeros(2,3,4,5).contiguous(memory_format=torch.channels_last).stride()
    let channels_last = "nutorch zeros 2 3 4 5 | nutorch contiguous --memory-format channels_last";
    assert_eq!(strides(&mut test, channels_last), [60, 1, 15, 3]);
    // torch.zeros(2,3,4,5,6).to(torch.float64, memory_format=torch.channels_last_3d).stride()
    let to_3d = "nutorch zeros 2 3 4 5 6 | nutorch to --dtype float64 --memory-format channels_last_3d";
    assert_eq!(strides(&mut test, to_3d), [360, 1, 90, 18, 3]);
    // .contiguous() gives row-major strides back; .to(torch.float64) preserves the layout.
    assert_eq!(strides(&mut test, &format!("{channels_last} | nutorch contiguous")), [60, 20, 5, 1]);
    assert_eq!(strides(&mut test, &format!("{channels_last} | nutorch to --dtype float64")), [60, 1, 15, 3]);
    let text = error_text(eval(&mut test, "nutorch zeros 2 3 4 | nutorch contiguous --memory-format channels_last"));
    assert!(text.contains("required rank 4 tensor to use channels_last format"), "{text}");
}

#[test]
fn embedding_max_norm_renormalizes_the_weight_in_place() {
    let (_, mut test) = plugin_test();
    let weight_after = |test: &mut nu_plugin_test_support::PluginTest, call: &str| -> Vec<Vec<f64>> {
        let source =
            format!("let w = (nutorch fromvalue [[3.0 4.0] [0.6 0.8] [1.0 0.0]]); {call}; $w | nutorch tovalue");
        let v = eval(test, &source).unwrap_or_else(|e| panic!("{source}: {e:?}"));
        v.as_list()
            .unwrap()
            .iter()
            .map(|r| r.as_list().unwrap().iter().map(|x| x.as_float().unwrap()).collect())
            .collect()
    };
    // w = torch.tensor([[3.0, 4.0], [0.6, 0.8], [1.0, 0.0]]); F.embedding(idx, w, max_norm=...); w.tolist()
    let w = weight_after(&mut test, "nutorch fromvalue [0 0 2] | nutorch embedding $w --max-norm 1.0 | ignore");
    assert_eq!(w, [[0.6000000238418579, 0.800000011920929], [0.6000000238418579, 0.800000011920929], [1.0, 0.0]]);
    let w =
        weight_after(&mut test, "nutorch fromvalue [1] | nutorch embedding $w --max-norm 0.5 --norm-type 1.0 | ignore");
    assert_eq!(w, [[3.0, 4.0], [0.2142856866121292, 0.2857142388820648], [1.0, 0.0]]);
}
