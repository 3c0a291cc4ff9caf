// The model spec helpers: label order, class names (ECG5000's only for ECG5000 itself) and the
// --class-names parser's two forms and every message it refuses with.
import { describe, expect, it } from 'vitest';
import { classInfos, ECG5000_CLASS_NAMES, isEcg5000, parseClassNames, sortLabels } from '../../core/spec.js';

describe('sortLabels', () => {
  it('sorts numeric labels by value and drops duplicates', () => {
    expect(sortLabels(['10', '2', '1', '2', '-1', '1.5'])).toEqual(['-1', '1', '1.5', '2', '10']);
  });

  it('sorts labels lexically as soon as one is not a number', () => {
    expect(sortLabels(['10', '2', 'b', 'a', 'b'])).toEqual(['10', '2', 'a', 'b']);
    expect(sortLabels(['b', 'a', 'c', 'a'])).toEqual(['a', 'b', 'c']);
  });
});

describe('classInfos', () => {
  it('takes a name from the map, else "class <label>"', () => {
    expect(classInfos(['1', '7'], { '1': 'Normal' })).toEqual([
      { label: '1', name: 'Normal' },
      { label: '7', name: 'class 7' },
    ]);
    expect(classInfos(['3'])).toEqual([{ label: '3', name: 'class 3' }]);
  });

  it('ECG5000 has its five names', () => {
    expect(ECG5000_CLASS_NAMES).toEqual({ '1': 'Normal', '2': 'R-on-T PVC', '3': 'PVC', '4': 'Supraventricular premature beat', '5': 'Unclassified' });
    expect(Object.isFrozen(ECG5000_CLASS_NAMES)).toBe(true);
  });
});

describe('isEcg5000', () => {
  const labels = ['1', '2', '3', '4', '5'];

  it('recognises the UCR files by name, length 140 and labels 1..5, in any folder and either slash', () => {
    expect(isEcg5000('ECG5000_TRAIN.tsv', 140, labels)).toBe(true);
    expect(isEcg5000('data/ECG5000/ECG5000_TEST.txt', 140, ['1'])).toBe(true);
    expect(isEcg5000('C:\\data\\ecg5000_test.tsv', 140, labels)).toBe(true);
  });

  it('refuses another name, another length or another label', () => {
    expect(isEcg5000('ECG5000_VALID.tsv', 140, labels)).toBe(false);
    expect(isEcg5000('my_ECG5000_TRAIN.tsv', 140, labels)).toBe(false);
    expect(isEcg5000('ECG5000_TRAINtsv', 140, labels)).toBe(false);
    expect(isEcg5000('ECG5000_TRAIN.tsv', 139, labels)).toBe(false);
    expect(isEcg5000('ECG5000_TRAIN.tsv', 140, ['1', '6'])).toBe(false);
    expect(isEcg5000('ECG5000_TRAIN.tsv', 140, ['toString'])).toBe(false);
  });
});

describe('parseClassNames', () => {
  const labels = ['1', '2', '3'];

  it('reads one name per class in label order, trimming spaces', () => {
    expect(parseClassNames(' Normal , PVC,Other ', labels)).toEqual({ '1': 'Normal', '2': 'PVC', '3': 'Other' });
  });

  it('reads label=name pairs in any order, a name may hold "="', () => {
    expect(parseClassNames('3 = c=d, 1=Normal', labels)).toEqual({ '3': 'c=d', '1': 'Normal' });
  });

  it('refuses an empty name in either form', () => {
    expect(parseClassNames('Normal,,PVC', labels)).toBe('--class-names "Normal,,PVC" has an empty name; write "Normal,PVC" or "1=Normal,2=PVC"');
    expect(parseClassNames('1=Normal,2= ', labels)).toBe('--class-names gives label "2" an empty name');
  });

  it('refuses a label the data does not have, listing the labels', () => {
    expect(parseClassNames('1=Normal,9=X', labels)).toBe('--class-names names label "9", which the data does not have; its labels are 1, 2, 3');
  });

  it('refuses a mix of the two forms', () => {
    expect(parseClassNames('1=Normal,PVC,Other', labels)).toBe('--class-names mixes "label=name" pairs and plain names; use one form');
  });

  it('refuses a wrong number of plain names', () => {
    expect(parseClassNames('Normal,PVC', labels)).toBe('--class-names has 2 names but the data has 3 classes (1, 2, 3); give one per class in that order');
  });
});
